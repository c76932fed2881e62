#!/usr/bin/env bash
# Installs, where missing, what Tessera takes from the system, with apt (Debian and Ubuntu):
#
#   scripts/setup.sh          what building and running Tessera uses
#   scripts/setup.sh --test   that, and what the tests use as well (scripts/test.sh, CI)
#
# Building needs the .NET 10 SDK (checked, never installed: https://dot.net) and npm (the build
# brings in OpenSeadragon for the viewer page). Running needs nothing more: libvips and Skia come
# in the NuGet packages. What makes it fast, and is installed unless it is there:
#   libturbojpeg0 (Ubuntu: libturbojpeg)  libjpeg-turbo's TurboJPEG, the JPEG codec (else Skia's)
#   gcc, libjpeg-dev                     to build Tessera's JPEG region decoder (else whole tiles)
#   libfftw3-single3                     FFTW, registration's faster FFT (else Tessera's own)
# The tests check each of those, so with --test they are needed, with what only the tests use:
#   chromium   the browser the viewer tests drive through Playwright (none is downloaded)
#   unzip      an independent reader of the zips Tessera writes
#   slurm-wlm, munge   a one-node Slurm cluster for the cluster test
#   python3-numpy, -tifffile, -zarr, -numcodecs   the reference readers of the OME outputs
#   python3-skimage    real photographs the registration tests cut (read from the installed
#                      package, never copied), and the peer bench/registration-quality.sh runs
#
# It says what it does, shows apt's own output, and exits non-zero, naming what is missing, when it
# cannot install something that is needed: no apt, neither root nor sudo, a package not found.
set -euo pipefail

tests=false
case "${1-}" in
    "") ;;
    --test) tests=true ;;
    -h | --help) sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "setup: unknown option '$1' (scripts/setup.sh [--test])" >&2; exit 2 ;;
esac

say() { echo "setup: $*" >&2; }
fail() { say "$*"; exit 1; }

# The SDK first: nothing else helps without it, and apt cannot install it on every release.
command -v dotnet >/dev/null ||
    fail "the .NET 10 SDK is needed and 'dotnet' is not on PATH: install it (https://dot.net, or Debian/Ubuntu's dotnet-sdk-10.0 package where your release has one) and run this again"
sdks=$(dotnet --list-sdks 2>/dev/null || true)
grep -q '^10\.' <<<"$sdks" ||
    fail "the .NET 10 SDK is needed; dotnet has only: $(cut -d' ' -f1 <<<"$sdks" | paste -sd' ')"

# Each want is "WHAT|HOW-TO-TELL|PACKAGE-NAMES": the first package name apt knows is installed.
# The library list is read once: `ldconfig -p | grep -q` under pipefail fails whenever grep stops
# early and ldconfig dies of SIGPIPE, reporting installed libraries as missing.
libraries=$(ldconfig -p 2>/dev/null || true)
has_library() { grep -q "$1" <<<"$libraries"; }
has_command() { command -v "$1" >/dev/null; }
names_of() { echo "${1#*|}"; }

required=(
    "npm (the build brings in OpenSeadragon)|has_command npm|npm"
)
accelerators=(
    "TurboJPEG (fast JPEG codec)|has_library 'libturbojpeg\.so\.0'|libturbojpeg0 libturbojpeg"
    "FFTW single precision (fast registration FFT)|has_library 'libfftw3f\.so\.3'|libfftw3-single3"
    "a C compiler (builds the JPEG region decoder)|has_command cc|gcc"
    "the libjpeg headers (for the JPEG region decoder)|test -f /usr/include/jpeglib.h|libjpeg-dev"
)
test_only=(
    "Chromium (the viewer tests' browser)|test -x \"\${TESSERA_CHROMIUM:-/usr/bin/chromium}\"|chromium"
    "unzip (checks Tessera's zips)|has_command unzip|unzip"
    "Slurm (the cluster test's scheduler)|has_command slurmctld && has_command slurmd && has_command sbatch|slurm-wlm"
    "MUNGE (Slurm's authentication)|has_command munged|munge"
    "Python's numpy (the OME tests' reference readers)|/usr/bin/python3 -c 'import numpy' 2>/dev/null|python3-numpy"
    "Python's tifffile (the OME tests' reference readers)|/usr/bin/python3 -c 'import tifffile' 2>/dev/null|python3-tifffile"
    "Python's zarr (the OME tests' reference readers)|/usr/bin/python3 -c 'import zarr' 2>/dev/null|python3-zarr"
    "Python's numcodecs (the OME tests' reference readers)|/usr/bin/python3 -c 'import numcodecs' 2>/dev/null|python3-numcodecs"
    "scikit-image (real photographs for the registration tests; the bench's peer)|test -f /usr/lib/python3/dist-packages/skimage/data/astronaut.png|python3-skimage"
)
if $tests; then
    required+=("${accelerators[@]}" "${test_only[@]}")
    optional=()
else
    optional=("${accelerators[@]}")
fi

# What is missing, as "WHAT|NAMES" lines, needed ones and optional ones apart.
missing() {
    local want what check names
    for want in "$@"; do
        IFS='|' read -r what check names <<<"$want"
        eval "$check" || echo "$what|$names"
    done
}
mapfile -t missing_required < <(missing "${required[@]}")
mapfile -t missing_optional < <(missing "${optional[@]}")
if ((${#missing_required[@]} + ${#missing_optional[@]} == 0)); then
    if $tests; then say "everything Tessera and its tests use from the system is installed"; else say "everything Tessera uses from the system is installed"; fi
    exit 0
fi

whats() { local line; for line in "$@"; do echo "  - ${line%%|*} (apt: $(names_of "$line" | sed 's/ / or /g'))"; done; }
say "missing:"
whats "${missing_required[@]}" "${missing_optional[@]}" >&2

# Where nothing can be installed: stop if something needed is missing, else say what is lost.
cannot_install() {
    if ((${#missing_required[@]} > 0)); then
        fail "$1: install the packages above by hand (or run this as root) and run it again"
    fi
    say "$1: Tessera builds and runs without these; it is faster with them (install them by hand)"
    exit 0
}
has_command apt-get || cannot_install "apt-get is not here (setup installs with Debian's or Ubuntu's apt)"
if [[ $(id -u) == 0 ]]; then
    as_root=()
elif has_command sudo; then
    as_root=(sudo)
    say "installing with sudo (it may ask for your password)"
else
    cannot_install "not root and no sudo"
fi

# The first of a want's package names that apt has a candidate for. A fresh machine has empty
# lists: they are refreshed once first where some want has no name apt knows.
candidate() {
    local name policy
    for name in "$@"; do
        # Read whole before grep, as the library list above: grep -q stops at the first match and
        # apt-cache, still writing, dies of SIGPIPE, which pipefail reports as "no candidate".
        policy=$(apt-cache policy "$name" 2>/dev/null || true)
        if grep -q 'Candidate: [^(]' <<<"$policy"; then
            echo "$name"
            return 0
        fi
    done
    return 1
}
refreshed=false
for line in "${missing_required[@]}" "${missing_optional[@]}"; do
    # shellcheck disable=SC2046 # the names are words
    if ! candidate $(names_of "$line") >/dev/null; then
        say "apt-get update (apt does not know $(names_of "$line" | sed 's/ / or /g') yet)"
        "${as_root[@]}" apt-get update || say "apt-get update failed; going on with the lists there are"
        refreshed=true
        break
    fi
done
resolve() {
    local line
    for line in "$@"; do
        # shellcheck disable=SC2046
        candidate $(names_of "$line") || echo "!${line%%|*}|$(names_of "$line")"
    done
}
mapfile -t required_packages < <(resolve "${missing_required[@]}")
mapfile -t optional_packages < <(resolve "${missing_optional[@]}")
not_found=$(printf '%s\n' "${required_packages[@]}" | grep '^!' || true)
if [[ -n $not_found ]]; then
    [[ $not_found == *Chromium* ]] && grep -qsE '^ID(_LIKE)?=.*ubuntu' /etc/os-release &&
        say "Ubuntu has Chromium only as a snap (its chromium-browser package installs the snap), which this does not install: 'snap install chromium' and set TESSERA_CHROMIUM=/snap/bin/chromium"
    fail "apt has no package for: $(sed 's/^!//; s/|/ (tried: /; s/$/)/' <<<"$not_found" | paste -sd';' | sed 's/;/; /g')"
fi
for package in "${optional_packages[@]}"; do
    [[ $package == '!'* ]] && say "apt has no package for ${package#!} (tried: ${package#*|}); going on without it"
done
mapfile -t packages < <(printf '%s\n' "${required_packages[@]}" "${optional_packages[@]}" | grep -v '^!' | grep . || true)
((${#packages[@]} > 0)) || exit 0

say "apt-get install ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get install -y "${packages[@]}"; then
    # Stale lists name versions the mirror no longer has: refresh once and try again.
    $refreshed || { say "apt-get update, then again"; "${as_root[@]}" apt-get update && "${as_root[@]}" apt-get install -y "${packages[@]}"; } ||
        fail "apt-get could not install ${packages[*]} (its message is above)"
fi
# Installed is not the same as found (a TESSERA_CHROMIUM elsewhere, a library not where it looks).
# The library list read at the start predates the install: read it again.
libraries=$(ldconfig -p 2>/dev/null || true)
mapfile -t still_missing < <(missing "${required[@]}")
((${#still_missing[@]} == 0)) ||
    fail "installed ${packages[*]}, but still not found: $(printf '%s\n' "${still_missing[@]}" | cut -d'|' -f1 | paste -sd';' | sed 's/;/; /g')"
say "installed ${packages[*]}"
