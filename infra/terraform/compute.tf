# One EC2 instance per entry of var.nodes. The control plane sits in a public subnet (it is
# also the SSH bastion); every other node is private.

data "aws_ami" "ubuntu" {
  count = var.ami_id == null ? 1 : 0

  most_recent = true
  owners      = ["099720109477"] # Canonical

  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"]
  }
}

resource "aws_key_pair" "operator" {
  key_name   = local.name
  public_key = var.ssh_public_key
}

locals {
  ami_id = var.ami_id != null ? var.ami_id : data.aws_ami.ubuntu[0].id

  # Which instance profile each node gets (see iam.tf).
  node_profile = {
    for role, n in var.nodes : role => (
      n.group == "control_plane" ? "control_plane" : role == "worker-storage" ? "storage" : "node"
    )
  }
}

resource "aws_instance" "node" {
  for_each = var.nodes

  ami                         = local.ami_id
  instance_type               = each.value.instance_type
  key_name                    = aws_key_pair.operator.key_name
  subnet_id                   = each.value.group == "control_plane" ? aws_subnet.public[local.node_az[each.key]].id : aws_subnet.private[local.node_az[each.key]].id
  associate_public_ip_address = each.value.group == "control_plane"
  iam_instance_profile        = aws_iam_instance_profile.this[local.node_profile[each.key]].name
  # Calico routes pod traffic between nodes, so the instances must forward foreign addresses.
  source_dest_check = false

  vpc_security_group_ids = concat(
    [aws_security_group.this["cluster"].id],
    each.value.group == "control_plane" ? [aws_security_group.this["control_plane"].id] : [],
    each.value.group == "api" ? [aws_security_group.this["api"].id] : [],
  )

  root_block_device {
    volume_type = "gp3"
    volume_size = each.value.volume_gb
    encrypted   = true
  }

  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  tags = {
    Name           = "${local.name}-${each.key}"
    "eco2.io/role" = each.key
    AnsibleGroup   = each.value.group
  }

  lifecycle {
    ignore_changes = [ami]
  }
}
