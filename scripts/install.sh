#!/usr/bin/env bash
# Sets Tessera up from this checkout and puts the `tessera` command on your PATH:
#   1. scripts/setup.sh: the system libraries Tessera uses, with apt (root, or sudo for that only);
#   2. packs the .NET tool for this platform into artifacts/tool and installs it for you
#      (dotnet tool install --global: ~/.dotnet/tools; no root);
#   3. makes sure new shells find it (a PATH line in ~/.profile and ~/.bashrc, only where missing);
#   4. writes a 12×8 grid of 800×600 JPEG tiles and stitches it with the installed tessera:
#      sample/tiles -> sample/slide.dzi (open sample/slide.html);
#   5. runs `tessera --version` in a new login shell, as your next terminal will.
# Run it again to update: it reinstalls what this checkout builds. To remove: see README, "Uninstall".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { echo "install: $*" >&2; }
fail() { say "$*"; exit 1; }

scripts/setup.sh

# The tool package of this platform only (all seven take minutes): the pack's own RID names.
rid_of_this_machine() {
    local os arch
    case "$(uname -s)" in
        # Whole outputs into grep (here and below): under pipefail a `cmd | grep -q` that matches
        # early fails when cmd, still writing, dies of SIGPIPE.
        Linux) os=linux; grep -qi musl <<<"$(ldd --version 2>&1 || true)" && os=linux-musl ;;
        Darwin) os=osx ;;
        *) fail "no Tessera tool package for $(uname -s); build from source instead (README, Repository)" ;;
    esac
    case "$(uname -m)" in
        x86_64 | amd64) arch=x64 ;;
        aarch64 | arm64) arch=arm64 ;;
        *) fail "no Tessera tool package for $(uname -m) processors; build from source instead (README, Repository)" ;;
    esac
    echo "$os-$arch"
}
rid=$(rid_of_this_machine)
packages=artifacts/tool
rm -rf "$packages"
say "dotnet pack src/Tessera.Cli for $rid into $packages"
dotnet pack src/Tessera.Cli -c Release -nologo -o "$packages" -p:ToolPackageRuntimeIdentifiers="$rid" ||
    fail "dotnet pack failed (its errors are above)"
version=$(sed -n 's/^Tessera\.Cli\.\([0-9][^ ]*\)\.nupkg$/\1/p' < <(ls "$packages"))
[[ -n $version ]] || fail "dotnet pack wrote no Tessera.Cli package into $packages"

# A reinstall, not `dotnet tool update`: that keeps an installed package of the same version as it
# is, and this checkout's changes would not arrive. Only the folder just packed is asked (--source).
if grep -qi '^tessera\.cli ' <<<"$(dotnet tool list --global)"; then
    say "removing the installed Tessera.Cli to install this checkout's"
    dotnet tool uninstall --global Tessera.Cli
fi
# On PATH first, or dotnet tool install advises its own ~/.bash_profile line, which (made new)
# would stop bash from reading ~/.profile; the PATH for new shells is set below.
tools="${DOTNET_CLI_HOME:-$HOME}/.dotnet/tools"
export PATH="$tools:$PATH"
say "dotnet tool install --global Tessera.Cli $version"
dotnet tool install --global --source "$packages" --version "$version" Tessera.Cli ||
    fail "dotnet tool install failed (its message is above)"

# New shells: a login shell reads the first of these bash finds; a terminal's shell reads ~/.bashrc.
in_new_shell() { env -i HOME="$HOME" TERM="${TERM:-dumb}" bash -l -c "$1"; }
if in_new_shell 'command -v tessera' >/dev/null 2>&1; then
    say "new shells already find tessera in $tools"
else
    login_profile="$HOME/.profile"
    for candidate in "$HOME/.bash_profile" "$HOME/.bash_login"; do
        [[ -f $candidate ]] && { login_profile=$candidate; break; }
    done
    line="case \":\$PATH:\" in *\":$tools:\"*) ;; *) export PATH=\"\$PATH:$tools\" ;; esac # Tessera: dotnet tools on PATH"
    for file in "$login_profile" "$HOME/.bashrc"; do
        if grep -qsF '.dotnet/tools' "$file"; then
            say "$file already names .dotnet/tools; left as it is"
        else
            printf '\n%s\n' "$line" >>"$file"
            say "added $tools to PATH in $file"
        fi
    done
fi

# A real build with the installed command; its messages (and any error) show as they come.
say "tessera sample, then tessera build, with $(command -v tessera)"
tessera sample sample/tiles --across 12 --down 8 --overlap-percent 10
tessera build sample/tiles sample/slide.dzi --overlap 10% --register --pixel-size 0.5um --overwrite

say "in a new shell: tessera --version"
in_new_shell 'tessera --version' ||
    fail "a new shell does not find tessera: add $tools to PATH in your shell's start-up file"
say "done. Open sample/slide.html in a browser, or run: tessera serve sample/slide.dzi"
