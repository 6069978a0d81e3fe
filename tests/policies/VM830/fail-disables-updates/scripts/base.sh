#!/bin/sh
systemctl disable unattended-upgrades
apt-get install -y nginx
