locals {
  # group => { host name => host vars }, built from the real instances.
  inventory = {
    for g in local.groups : g => {
      for role, n in var.nodes : role => {
        ansible_host = g == "control_plane" ? aws_instance.node[role].public_ip : aws_instance.node[role].private_ip
        private_ip   = aws_instance.node[role].private_ip
        eco2_role    = role
      } if n.group == g
    }
  }
  bastion = aws_instance.node[one([for role, n in var.nodes : role if n.group == "control_plane"])].public_ip
}

output "inventory" {
  description = "Ansible groups and hosts as data (the same content as ansible_inventory)."
  value       = local.inventory
}

output "ansible_inventory" {
  description = "YAML inventory for infra/ansible; private nodes are reached through the control plane."
  value = yamlencode({
    all = {
      vars = {
        ansible_user       = "ubuntu"
        eco2_api_server    = aws_instance.node[one([for role, n in var.nodes : role if n.group == "control_plane"])].private_ip
        etcd_backup_bucket = aws_s3_bucket.backups.bucket
        aws_region         = var.region
      }
      children = {
        for g in local.groups : g => {
          hosts = local.inventory[g]
          vars = g == "control_plane" ? {} : {
            ansible_ssh_common_args = "-o ProxyJump=ubuntu@${local.bastion}"
          }
        }
      }
    }
  })
}

output "bastion_public_ip" {
  description = "Public IP of the control-plane node, also the SSH bastion."
  value       = local.bastion
}

output "api_url" {
  description = "PUBLIC_BASE_URL of the gateway, and where the rebuild's smoke test knocks."
  value       = "https://${local.api_fqdn}"
}

output "alb_dns_name" {
  value = aws_lb.api.dns_name
}

output "gateway_target_group_arn" {
  description = "Set into the gateway TargetGroupBinding (scripts/rebuild.ts does it)."
  value       = aws_lb_target_group.gateway.arn
}

# The outputs below reach the cluster configuration through scripts/rebuild (see
# infra/k8s/generate/terraform-bindings.ts); nothing in infra/k8s repeats them.
output "images_bucket" {
  description = "S3_BUCKET of the storage worker (the name has a random suffix)."
  value       = aws_s3_bucket.images.bucket
}

output "cdn_base_url" {
  description = "CDN_BASE_URL: the CloudFront alias in front of the images bucket."
  value       = "https://${local.images_fqdn}"
}

output "region" {
  description = "Region of the bucket and the cluster (S3_REGION in the cluster configuration)."
  value       = var.region
}

output "backups_bucket" {
  description = "Where the control plane uploads etcd snapshots (infra/README.md: restore)."
  value       = aws_s3_bucket.backups.bucket
}
