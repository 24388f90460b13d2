variable "project" {
  description = "Name prefix for every resource."
  type        = string
  default     = "eco2"
}

variable "environment" {
  description = "Environment name (dev or prod); part of resource names and tags."
  type        = string
  default     = "prod"

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod."
  }
}

variable "region" {
  description = "AWS region for the cluster."
  type        = string
  default     = "ap-northeast-2"
}

variable "availability_zones" {
  description = "Availability zones to spread subnets and nodes over (at least two)."
  type        = list(string)
  default     = ["ap-northeast-2a", "ap-northeast-2c"]

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "Use at least two availability zones."
  }
}

variable "vpc_cidr" {
  description = "VPC CIDR. infra/k8s NetworkPolicies allow the ALB from this range."
  type        = string
  default     = "10.40.0.0/16"
}

variable "nodes" {
  description = <<-EOT
    The node layout: one entry per Kubernetes node, keyed by role. `group` is the Ansible group
    (control_plane, api, workers, infra). Every node but the control plane gets the label and
    NoSchedule taint eco2.io/role=<role> from Ansible.
  EOT
  type = map(object({
    instance_type = string
    group         = string
    volume_gb     = optional(number, 30)
  }))
  default = {
    "control-plane"    = { instance_type = "t3.large", group = "control_plane", volume_gb = 50 }
    "api-auth"         = { instance_type = "t3.micro", group = "api" }
    "api-my"           = { instance_type = "t3.micro", group = "api" }
    "api-scan"         = { instance_type = "t3.small", group = "api" }
    "api-character"    = { instance_type = "t3.micro", group = "api" }
    "api-location"     = { instance_type = "t3.micro", group = "api" }
    "api-info"         = { instance_type = "t3.micro", group = "api" }
    "api-chat"         = { instance_type = "t3.small", group = "api" }
    "worker-storage"   = { instance_type = "t3.small", group = "workers" }
    "worker-ai"        = { instance_type = "t3.small", group = "workers" }
    "infra-postgresql" = { instance_type = "t3.small", group = "infra", volume_gb = 60 }
    "infra-rabbitmq"   = { instance_type = "t3.small", group = "infra", volume_gb = 40 }
    "infra-monitoring" = { instance_type = "t3.small", group = "infra", volume_gb = 60 }
    "infra-redis"      = { instance_type = "t3.micro", group = "infra" }
  }

  validation {
    condition = alltrue([
      for n in values(var.nodes) : contains(["control_plane", "api", "workers", "infra"], n.group)
    ])
    error_message = "Each node's group must be control_plane, api, workers or infra."
  }

  validation {
    condition     = length([for n in values(var.nodes) : n if n.group == "control_plane"]) == 1
    error_message = "Exactly one control_plane node is supported (kubeadm single control plane)."
  }
}

variable "ssh_allowed_cidrs" {
  description = "CIDRs allowed to reach SSH (22) on the nodes. Keep it to operator addresses."
  type        = list(string)

  validation {
    condition     = !contains(var.ssh_allowed_cidrs, "0.0.0.0/0")
    error_message = "SSH must not be open to 0.0.0.0/0; list operator CIDRs."
  }
}

variable "ssh_public_key" {
  description = "Public key installed for the `ubuntu` user on every node."
  type        = string
}

variable "domain_name" {
  description = "Public DNS zone hosted in Route53, e.g. eco2.example.com."
  type        = string
}

variable "api_subdomain" {
  description = "Record for the public API (ALB)."
  type        = string
  default     = "api"
}

variable "images_subdomain" {
  description = "Record for the image CDN (CloudFront)."
  type        = string
  default     = "images"
}

variable "ami_id" {
  description = "Override the node AMI; by default the latest Ubuntu 22.04 LTS amd64 from Canonical."
  type        = string
  default     = null
}

variable "etcd_snapshot_retention_days" {
  description = "How long etcd snapshots stay in the backups bucket."
  type        = number
  default     = 14
}
