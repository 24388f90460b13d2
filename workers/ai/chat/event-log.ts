import type { AgentEvent, JobEventsPort } from "./ports.ts";
import { FIRST_TOKEN_SEQ, type Stage, type StageStatus, stageMessage, stageSeq } from "./stages.ts";

/**
 * EventLog reports a job's events in order with one RecordEvents call in flight at a time:
 * events (tokens above all) that pile up while a call runs go together in the next one. A failed
 * call fails `drain`, so the message is retried and the rerun's events dedupe by seq.
 */
export class EventLog {
  private pending: AgentEvent[] = [];
  private inFlight: Promise<void> | undefined;
  private failure: unknown;
  private nextTokenSeq = FIRST_TOKEN_SEQ;

  constructor(
    private readonly port: JobEventsPort,
    private readonly jobId: string,
  ) {}

  stage(stage: Stage, status: StageStatus, progress: number, result?: unknown): void {
    this.push({
      stage,
      status,
      seq: stageSeq(stage, status),
      progress,
      message: stageMessage(stage, status),
      resultJson: result === undefined ? "" : JSON.stringify(result),
      content: "",
      node: "",
    });
  }

  token(content: string): void {
    if (!content) return;
    this.push({
      stage: "token",
      status: "streaming",
      seq: this.nextTokenSeq++,
      progress: -1,
      message: "",
      resultJson: "",
      content,
      node: "answer",
    });
  }

  /** Resolves once every event so far is recorded; rejects if a call failed. */
  async drain(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    if (this.failure) throw this.failure;
  }

  private push(event: AgentEvent): void {
    if (this.failure) return;
    this.pending.push(event);
    if (!this.inFlight) this.inFlight = this.flush();
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0 && !this.failure) {
        const batch = this.pending;
        this.pending = [];
        await this.port.record(this.jobId, batch);
      }
    } catch (err) {
      this.failure = err;
    } finally {
      this.inFlight = undefined;
    }
  }
}
