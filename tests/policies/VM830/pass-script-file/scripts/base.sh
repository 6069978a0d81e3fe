#!/bin/sh
set -e
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get -y dist-upgrade
