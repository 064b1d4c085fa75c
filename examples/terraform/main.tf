# oneshot.secrets from Terraform: push a password to Password Pusher and share it as a
# one-time secret on onetimesecret, and print the links. Install the provider first
# (docs/terraform.md); connection settings and the password come from the environment:
#   PWPUSH_URL PWPUSH_TOKEN   OTS_URL OTS_USERNAME OTS_TOKEN   TF_VAR_db_password
# For a local try against the test servers:
#   TF_VAR_db_password=s3cret tests/fakes/run-with pwpush -- tests/fakes/run-with ots -- terraform apply
# (terraform/tests/test_terraform.py applies this file as it is with Terraform 1.0.3.)

terraform {
  required_version = ">= 1.0.3"
  required_providers {
    oneshot = {
      source  = "terraform.local/oneshot/oneshot"
      version = ">= 0.1.0"
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

variable "db_password" {
  description = "The password to hand over (from a vault data source, or TF_VAR_db_password)."
  type        = string
  sensitive   = true
}

variable "db_passphrase" {
  description = "Passphrase the recipient must type (null: none)."
  type        = string
  sensitive   = true
  default     = null
}

data "oneshot_pwpush_instance" "server" {}

resource "oneshot_pwpush_push" "db" {
  # The secrets go in the sealed block: state keeps a salted digest of each, never the value.
  sealed {
    payload    = var.db_password
    passphrase = var.db_passphrase
  }
  expire_after_days  = 3
  expire_after_views = 2
  name               = "db password for alice"
  retrieval_step     = true
}

resource "oneshot_ots_secret" "db" {
  sealed {
    secret = var.db_password
  }
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

output "db_secret_link" {
  value     = oneshot_ots_secret.db.url
  sensitive = true
}

output "db_secret_state" {
  value = oneshot_ots_secret.db.state
}
