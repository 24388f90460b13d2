// Reads one answer from stdin. Used before anything irreversible (terraform apply, destroy);
// with no terminal and nothing piped in, the answer is empty and the caller aborts.
import { createInterface } from "node:readline";

export async function readLine(prompt: string, out: (line: string) => void): Promise<string> {
  out(prompt);
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line.trim();
  }
  return "";
}
