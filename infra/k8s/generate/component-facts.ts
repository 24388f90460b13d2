// Per-component deployment facts that are not in the component catalog (infra/k8s/catalog.ts is
// being replaced by a project-wide catalog; these stay keyed by component name so they can move
// there unchanged).

/**
 * Components that reach AWS with their node's instance profile (infra/terraform/iam.tf), so
 * their pods must reach the instance metadata endpoint for credentials.
 */
export const INSTANCE_PROFILE_USERS: Record<string, string> = {
  storage: "the images bucket through the storage instance profile",
};

/** Instance metadata endpoint (IMDSv2 over plain HTTP; Terraform sets the hop limit to 2 for pods). */
export const IMDS_CIDR = "169.254.169.254/32";
export const IMDS_PORT = 80;

/**
 * Pull secret for the component images (GHCR packages are private unless made public).
 * scripts/rebuild creates it from REGISTRY_USERNAME/REGISTRY_TOKEN in the secrets file.
 */
export const IMAGE_PULL_SECRET = "eco2-registry";

/** The CI-owned kustomize Component per environment that pins every component image tag. */
export const IMAGES_COMPONENT_DIR = "infra/k8s/images";
