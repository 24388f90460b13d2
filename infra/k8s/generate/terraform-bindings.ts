// Values Terraform decides that the cluster configuration needs. The committed manifests never
// carry them: the ApplicationSet patches each target with a token, and scripts/rebuild replaces
// every token with `terraform output -raw <output>` when it applies the ApplicationSet. This
// table is that one path; the infra check and the rebuild both read it.

export interface TerraformBinding {
  /** Placeholder in the rendered ApplicationSet. */
  token: string;
  /** `terraform output -raw <output>` (infra/terraform/outputs.tf). */
  output: string;
  /** What it sets: a key of the eco2-config ConfigMap, or a JSON pointer into another object. */
  target:
    | { kind: "ConfigMap"; name: "eco2-config"; key: string }
    | { group: string; kind: string; name: string; path: string };
}

export const TERRAFORM_BINDINGS: TerraformBinding[] = [
  {
    token: "GATEWAY_TARGET_GROUP_ARN",
    output: "gateway_target_group_arn",
    target: {
      group: "elbv2.k8s.aws",
      kind: "TargetGroupBinding",
      name: "gateway",
      path: "/spec/targetGroupARN",
    },
  },
  {
    token: "TF_IMAGES_BUCKET",
    output: "images_bucket",
    target: { kind: "ConfigMap", name: "eco2-config", key: "S3_BUCKET" },
  },
  {
    token: "TF_REGION",
    output: "region",
    target: { kind: "ConfigMap", name: "eco2-config", key: "S3_REGION" },
  },
  {
    token: "TF_CDN_BASE_URL",
    output: "cdn_base_url",
    target: { kind: "ConfigMap", name: "eco2-config", key: "CDN_BASE_URL" },
  },
  {
    token: "TF_API_URL",
    output: "api_url",
    target: { kind: "ConfigMap", name: "eco2-config", key: "PUBLIC_BASE_URL" },
  },
];

/** ConfigMap keys that only Terraform may decide. */
export const TERRAFORM_CONFIG_KEYS = TERRAFORM_BINDINGS.flatMap((b) =>
  "key" in b.target ? [b.target.key] : [],
);
