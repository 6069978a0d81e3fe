# An image build that skips verification and patching.
variable "iso_url" {
  type    = string
  default = "http://releases.example.com/ubuntu-24.04-live-server-amd64.iso"
}

source "qemu" "ubuntu" {
  iso_url          = var.iso_url
  iso_checksum     = "none"
  ssh_username     = "ubuntu"
  ssh_password     = "ubuntu"
  disk_size        = "20G"
  format           = "qcow2"
  shutdown_command = "sudo shutdown -P now"
}

build {
  sources = ["source.qemu.ubuntu"]

  provisioner "shell" {
    inline = ["sudo apt-get install -y nginx"]
  }
}
