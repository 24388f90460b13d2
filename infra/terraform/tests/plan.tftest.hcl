# Offline plan and (mocked) apply of the whole module; the mock provider invents computed
# values such as IDs and IPs, so nothing reaches AWS:
#   terraform init -backend=false -plugin-dir=<mirror> && terraform test
# Asserts the node layout, the rendered inventory and the security-group posture.

mock_provider "aws" {
  # Realistic shapes where the module parses provider values.
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
  # A DNS-validated certificate always has one validation record per name.
  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:ap-northeast-2:111122223333:certificate/12345678-1234-1234-1234-123456789012"
      domain_validation_options = [{
        domain_name           = "host.eco2.example.com"
        resource_record_name  = "_x1.host.eco2.example.com."
        resource_record_type  = "CNAME"
        resource_record_value = "_x2.acm-validations.aws."
      }]
    }
  }
  # The provider validates ARNs even when mocked.
  mock_resource "aws_lb" {
    defaults = {
      arn = "arn:aws:elasticloadbalancing:ap-northeast-2:111122223333:loadbalancer/app/eco2-prod-api/50dc6c495c0c9188"
    }
  }
  mock_resource "aws_lb_target_group" {
    defaults = {
      arn = "arn:aws:elasticloadbalancing:ap-northeast-2:111122223333:targetgroup/eco2-prod-gateway/73e2d6bc24d8a067"
    }
  }
  mock_resource "aws_acm_certificate_validation" {
    defaults = {
      certificate_arn = "arn:aws:acm:ap-northeast-2:111122223333:certificate/12345678-1234-1234-1234-123456789012"
    }
  }
  mock_resource "aws_s3_bucket" {
    defaults = {
      arn = "arn:aws:s3:::eco2-prod-images-test"
    }
  }
  mock_resource "aws_cloudfront_distribution" {
    defaults = {
      arn = "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE"
    }
  }
  mock_data "aws_ami" {
    defaults = {
      id = "ami-0123456789abcdef0"
    }
  }
}

mock_provider "aws" {
  alias = "us_east_1"

  mock_resource "aws_acm_certificate_validation" {
    defaults = {
      certificate_arn = "arn:aws:acm:us-east-1:111122223333:certificate/12345678-1234-1234-1234-123456789012"
    }
  }
  # A DNS-validated certificate always has one validation record per name.
  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:us-east-1:111122223333:certificate/12345678-1234-1234-1234-123456789012"
      domain_validation_options = [{
        domain_name           = "host.eco2.example.com"
        resource_record_name  = "_x1.host.eco2.example.com."
        resource_record_type  = "CNAME"
        resource_record_value = "_x2.acm-validations.aws."
      }]
    }
  }
}

variables {
  domain_name       = "eco2.example.com"
  ssh_allowed_cidrs = ["203.0.113.10/32"]
  ssh_public_key    = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEco2TestKeyOnlyForTerraformTests operator@eco2"
}

run "node_layout" {
  command = apply

  assert {
    condition     = length(aws_instance.node) == 14
    error_message = "Expected 14 instances, got ${length(aws_instance.node)}."
  }

  assert {
    condition     = aws_instance.node["control-plane"].instance_type == "t3.large"
    error_message = "The control plane must be a t3.large."
  }

  assert {
    condition = alltrue([
      for role in ["api-auth", "api-my", "api-character", "api-location", "api-info", "infra-redis"] :
      aws_instance.node[role].instance_type == "t3.micro"
    ])
    error_message = "auth, my, character, location, info and redis nodes must be t3.micro."
  }

  assert {
    condition = alltrue([
      for role in ["api-scan", "api-chat", "worker-storage", "worker-ai", "infra-postgresql", "infra-rabbitmq", "infra-monitoring"] :
      aws_instance.node[role].instance_type == "t3.small"
    ])
    error_message = "scan, chat, both workers, postgresql, rabbitmq and monitoring nodes must be t3.small."
  }

  assert {
    condition     = length(distinct([for i in aws_instance.node : i.subnet_id])) >= 2
    error_message = "Nodes must be spread over at least two subnets (availability zones)."
  }
}

run "inventory" {
  command = apply

  assert {
    condition     = sum([for g, hosts in output.inventory : length(hosts)]) == 14
    error_message = "The inventory must list 14 hosts."
  }

  # The rendered YAML that Ansible reads, not just the data behind it.
  assert {
    condition     = length(flatten([for g, v in yamldecode(output.ansible_inventory).all.children : keys(v.hosts)])) == 14
    error_message = "The rendered ansible_inventory must list 14 hosts."
  }

  assert {
    condition     = toset(keys(yamldecode(output.ansible_inventory).all.children)) == toset(["control_plane", "api", "workers", "infra"])
    error_message = "The rendered ansible_inventory must have the groups control_plane, api, workers and infra."
  }

  assert {
    condition     = keys(output.inventory.control_plane) == ["control-plane"]
    error_message = "control_plane group must hold exactly the control-plane node."
  }

  assert {
    condition     = length(output.inventory.api) == 7 && alltrue([for h in keys(output.inventory.api) : startswith(h, "api-")])
    error_message = "api group must hold the 7 api-* nodes."
  }

  assert {
    condition     = toset(keys(output.inventory.workers)) == toset(["worker-storage", "worker-ai"])
    error_message = "workers group must hold worker-storage and worker-ai."
  }

  assert {
    condition     = toset(keys(output.inventory.infra)) == toset(["infra-postgresql", "infra-rabbitmq", "infra-monitoring", "infra-redis"])
    error_message = "infra group must hold the 4 infra-* nodes."
  }

  assert {
    condition     = alltrue(flatten([for g, hosts in output.inventory : [for name, h in hosts : h.eco2_role == name]]))
    error_message = "Every host must carry its role as eco2_role (Ansible labels and taints the node with it)."
  }

  # The etcd snapshots must not share the images bucket, which CloudFront serves.
  assert {
    condition     = aws_s3_bucket.backups.bucket_prefix != aws_s3_bucket.images.bucket_prefix
    error_message = "etcd snapshots need a bucket of their own."
  }

  assert {
    condition     = aws_s3_bucket_public_access_block.backups.restrict_public_buckets && aws_s3_bucket_public_access_block.backups.block_public_policy
    error_message = "The backups bucket must block public access."
  }

  # Versioned buckets only empty on destroy with force_destroy (the rebuild confirms first).
  assert {
    condition     = aws_s3_bucket.images.force_destroy && aws_s3_bucket.backups.force_destroy
    error_message = "Both buckets need force_destroy, or npm run rebuild -- --destroy fails on their objects."
  }

  # Ansible's etcd_backup role reads these from the rendered inventory.
  assert {
    condition     = yamldecode(output.ansible_inventory).all.vars.etcd_backup_bucket == output.backups_bucket
    error_message = "ansible_inventory must pass the backups bucket to Ansible."
  }
}

run "security_groups" {
  command = apply

  # Data ports are never opened to a CIDR of the whole internet, nor is "all traffic".
  assert {
    condition = alltrue([
      for k, r in aws_vpc_security_group_ingress_rule.this :
      !(coalesce(r.cidr_ipv4, "none") == "0.0.0.0/0" && (r.ip_protocol == "-1" || anytrue([
        for p in local.data_ports : coalesce(r.from_port, 0) <= p && p <= coalesce(r.to_port, 65535)
      ])))
    ])
    error_message = "A security group rule opens a data port to 0.0.0.0/0."
  }

  assert {
    condition = alltrue([
      for k, r in aws_vpc_security_group_ingress_rule.this :
      coalesce(r.cidr_ipv4, "none") != "0.0.0.0/0" || r.security_group_id == aws_security_group.this["alb"].id
    ])
    error_message = "Only the ALB may accept traffic from 0.0.0.0/0."
  }

  assert {
    condition = alltrue([
      for k, r in aws_vpc_security_group_ingress_rule.this :
      coalesce(r.from_port, -1) != 22 || contains(concat(var.ssh_allowed_cidrs, ["none"]), coalesce(r.cidr_ipv4, "none"))
    ])
    error_message = "SSH must only be open to the allow-list."
  }
}

run "ssh_world_rejected" {
  command = plan

  variables {
    ssh_allowed_cidrs = ["0.0.0.0/0"]
  }

  expect_failures = [var.ssh_allowed_cidrs]
}
