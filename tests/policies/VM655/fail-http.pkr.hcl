source "qemu" "alma" {
  iso_url      = "http://repo.almalinux.org/almalinux/9/isos/x86_64/AlmaLinux-9-latest-x86_64-minimal.iso"
  iso_checksum = "file:http://repo.almalinux.org/almalinux/9/isos/x86_64/CHECKSUM"
  ssh_username = "packer"
  ssh_timeout  = "30m"
}

build {
  sources = ["source.qemu.alma"]

  provisioner "shell" {
    inline = ["sudo dnf -y update"]
  }
}
