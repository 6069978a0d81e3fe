source "qemu" "base" {
  iso_url = "https://example.com/x.iso"
  memory = 
}
