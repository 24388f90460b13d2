locals {
  name = "${var.project}-${var.environment}"

  tags = {
    Project     = var.project
    Environment = var.environment
    ManagedBy   = "terraform"
  }

  # One public and one private subnet per availability zone.
  azs             = var.availability_zones
  public_subnets  = { for i, az in local.azs : az => cidrsubnet(var.vpc_cidr, 8, i) }
  private_subnets = { for i, az in local.azs : az => cidrsubnet(var.vpc_cidr, 8, 100 + i) }

  # Nodes are spread round-robin over the AZs in the (sorted) order of their role names.
  node_roles = sort(keys(var.nodes))
  node_az    = { for i, role in local.node_roles : role => local.azs[i % length(local.azs)] }

  # Ports that carry data or internal control traffic. They are only ever opened to security
  # groups, never to CIDRs; tests/plan.tftest.hcl asserts that no rule opens them to the world.
  data_ports = [5432, 6379, 5672, 15672, 15692, 9187, 9121]

  groups = ["control_plane", "api", "workers", "infra"]
}
