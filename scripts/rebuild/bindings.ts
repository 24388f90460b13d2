// The one path from Terraform outputs into the cluster configuration: the inventory phase reads
// every bound output, the argocd phase replaces each token in the rendered ApplicationSet with
// its output before applying it. Nothing else writes a Terraform-decided value into the cluster.
import {
  TERRAFORM_BINDINGS,
  type TerraformBinding,
} from "../../infra/k8s/generate/terraform-bindings.ts";

export const BOUND_OUTPUTS = [...new Set(TERRAFORM_BINDINGS.map((b) => b.output))];

const targetOf = (b: TerraformBinding) =>
  "key" in b.target
    ? `ConfigMap ${b.target.name} ${b.target.key}`
    : `${b.target.kind} ${b.target.name} ${b.target.path}`;

/** What flows where, for --dry-run and the argocd phase's log (values when known). */
export function bindingLines(outputs: Record<string, string> = {}): string[] {
  return TERRAFORM_BINDINGS.map(
    (b) =>
      `terraform output -raw ${b.output} → ${b.token} → ${targetOf(b)}${outputs[b.output] !== undefined ? ` = ${outputs[b.output]}` : ""}`,
  );
}

/** The rendered ApplicationSet with every token replaced; throws when an output is missing. */
export function applyBindings(rendered: string, outputs: Record<string, string>): string {
  let text = rendered;
  for (const b of TERRAFORM_BINDINGS) {
    const value = outputs[b.output];
    if (!value)
      throw new Error(`terraform output ${b.output} is empty; it is needed for ${targetOf(b)}`);
    text = text.replaceAll(b.token, value);
  }
  return text;
}
