# Least-privilege security groups:
#   cluster        every node; nodes talk to each other freely (kubelet, Calico, pod traffic)
#   control_plane  SSH and the Kubernetes API from the operator allow-list only (it is the bastion)
#   api            the gateway NodePort from the ALB only
#   alb            HTTPS (and HTTP, redirected) from the internet
# Data nodes get no extra group: they are reachable from the cluster and nothing else.

resource "aws_security_group" "this" {
  for_each = toset(["cluster", "control_plane", "api", "alb"])

  name        = "${local.name}-${replace(each.key, "_", "-")}"
  description = "Eco2 ${each.key} security group"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${local.name}-${each.key}" }
}

locals {
  gateway_node_port = 30800

  # The rules that do not depend on variables, as a plain map so `npm run infra:check` can read
  # them without terraform and check the flows the cluster needs (kubelet, etcd, API server,
  # Calico, NodePort from the ALB). cluster_self carries all node-to-node traffic.
  # `source` is the key of a security group above; `cidr` a CIDR.
  cluster_ingress_rules = {
    cluster_self = { sg = "cluster", protocol = "-1", from = null, to = null, cidr = null, source = "cluster" }
    ssh_bastion  = { sg = "cluster", protocol = "tcp", from = 22, to = 22, cidr = null, source = "control_plane" }
    api_from_alb = { sg = "api", protocol = "tcp", from = local.gateway_node_port, to = local.gateway_node_port, cidr = null, source = "alb" }
    alb_https    = { sg = "alb", protocol = "tcp", from = 443, to = 443, cidr = "0.0.0.0/0", source = null }
    alb_http     = { sg = "alb", protocol = "tcp", from = 80, to = 80, cidr = "0.0.0.0/0", source = null }
  }

  # Every ingress rule in one map, so tests/plan.tftest.hcl can check all of them at once.
  ingress_rules = merge(
    local.cluster_ingress_rules,
    { for i, cidr in var.ssh_allowed_cidrs : "ssh_operator_${i}" => { sg = "control_plane", protocol = "tcp", from = 22, to = 22, cidr = cidr, source = null } },
    { for i, cidr in var.ssh_allowed_cidrs : "kubeapi_operator_${i}" => { sg = "control_plane", protocol = "tcp", from = 6443, to = 6443, cidr = cidr, source = null } },
  )
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each = local.ingress_rules

  security_group_id            = aws_security_group.this[each.value.sg].id
  ip_protocol                  = each.value.protocol
  from_port                    = each.value.from
  to_port                      = each.value.to
  cidr_ipv4                    = each.value.cidr
  referenced_security_group_id = each.value.source == null ? null : aws_security_group.this[each.value.source].id
  description                  = each.key
}

# Nodes need the internet (packages, images, S3, the AI endpoint) through the NAT gateway.
resource "aws_vpc_security_group_egress_rule" "nodes" {
  security_group_id = aws_security_group.this["cluster"].id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
  description       = "nodes outbound"
}

resource "aws_vpc_security_group_egress_rule" "alb_to_gateway" {
  security_group_id            = aws_security_group.this["alb"].id
  ip_protocol                  = "tcp"
  from_port                    = local.gateway_node_port
  to_port                      = local.gateway_node_port
  referenced_security_group_id = aws_security_group.this["api"].id
  description                  = "ALB to gateway NodePort"
}
