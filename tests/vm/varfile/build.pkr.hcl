variable "password" {
  type    = string
  default = "from-default"
}

variable "checksum" {
  type = string
}

source "qemu" "tagged" {
  iso_url      = "https://example.org/os.iso"
  iso_checksum = var.checksum
  ssh_username = "root"
  ssh_password = var.password
  qemuargs     = [["-m", "2048"], ["-smp", "2"]]
}

build {
  sources = ["source.qemu.tagged"]

  provisioner "shell" {
    inline = ["zypper --non-interactive update"]
  }
}
