# oneshot.secrets from Terraform/OpenTofu: push a generated password to Password Pusher and a
# one-time secret to onetimesecret, and print the links. Install the provider first
# (docs/terraform.md); connection settings come from the environment:
#   PWPUSH_URL PWPUSH_TOKEN   OTS_URL OTS_USERNAME OTS_TOKEN
# For a local try: tests/fakes/run-with pwpush -- tests/fakes/run-with ots -- terraform apply

terraform {
  required_version = ">= 1.0"
  required_providers {
    oneshot = {
      source  = "terraform.local/oneshot/oneshot"
      version = ">= 0.1.0"
    }
    random = {
      source = "hashicorp/random"
    }
  }
}

provider "oneshot" {
  # Every setting is optional here and falls back to its environment variable.
  # pwpush_url    = "https://pwpush.com"          # PWPUSH_URL
  # pwpush_token  = var.pwpush_token              # PWPUSH_TOKEN (sensitive)
  # ots_url       = "https://eu.onetimesecret.com" # OTS_URL
  # ots_username  = "ops@example.com"             # OTS_USERNAME
  # ots_api_token = var.ots_api_token             # OTS_TOKEN (sensitive)
}

variable "db_passphrase" {
  description = "Passphrase the recipient must type (kept out of state as a digest)."
  type        = string
  sensitive   = true
  default     = null
}

resource "random_password" "db" {
  length  = 24
  special = false
}

data "oneshot_pwpush_instance" "server" {}

resource "oneshot_pwpush_push" "db" {
  payload            = random_password.db.result
  passphrase         = var.db_passphrase
  expire_after_days  = 3
  expire_after_views = 2
  name               = "db password for alice"
  retrieval_step     = true
}

resource "oneshot_ots_secret" "api_key" {
  secret    = random_password.db.result
  ttl       = 86400
  recipient = null # with an account: "alice@example.com" mails her the link
}

output "pwpush_server" {
  value = "${data.oneshot_pwpush_instance.server.edition} ${data.oneshot_pwpush_instance.server.version} (expiry: ${data.oneshot_pwpush_instance.server.expiry_field})"
}

output "db_link" {
  value     = oneshot_pwpush_push.db.url
  sensitive = true # terraform output -raw db_link
}

output "db_views_remaining" {
  value = oneshot_pwpush_push.db.views_remaining
}

output "api_key_link" {
  value     = oneshot_ots_secret.api_key.url
  sensitive = true
}

output "api_key_state" {
  value = oneshot_ots_secret.api_key.state
}
