# The tessera command in a container (see docs/CLUSTER.md):
#   docker build -t tessera .
#   docker run --rm -v "$PWD:/data" tessera build /data/tiles /data/slide.dzi --overlap 10%
# Build arguments:
#   RID=linux-arm64       for ARM hosts (default linux-x64)
#   FFTW=yes              adds FFTW (libfftw3-single3, GPL), registration's faster FFT; without it
#                         tessera register uses its own FFT and the image holds no GPL library
#   SDK_IMAGE, RUNTIME_IMAGE   other base images with the same .NET 10 (Debian or Ubuntu based)
# .NET 10's images are Ubuntu 24.04 (there are no Debian ones); both are handled below, since the
# two name libjpeg-turbo's packages differently.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0-noble
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0-noble

FROM ${SDK_IMAGE} AS build
# gcc and libjpeg's headers build the JPEG region decoder (libtessera_jpeg.so); npm fetches
# OpenSeadragon for the viewer page.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev libjpeg-dev npm \
 && rm -rf /var/lib/apt/lists/*
ARG RID=linux-x64
WORKDIR /src
COPY . .
# Framework-dependent for one platform: only that platform's libvips and Skia come along.
RUN dotnet publish src/Tessera.Cli -c Release -r "$RID" --self-contained false -p:DebugType=none -o /app \
 && test -f /app/libtessera_jpeg.so

# ASP.NET Core's runtime, not just .NET's: tessera serve runs on Kestrel.
FROM ${RUNTIME_IMAGE}
ARG FFTW=no
# libjpeg-turbo: TurboJPEG for the fast codec, libjpeg for the region decoder built above.
RUN . /etc/os-release \
 && case "$ID" in \
        ubuntu) jpeg="libturbojpeg libjpeg-turbo8" ;; \
        debian) jpeg="libturbojpeg0 libjpeg62-turbo" ;; \
        *) echo "no package names for $ID: use a Debian or Ubuntu based image" >&2; exit 1 ;; \
    esac \
 && if [ "$FFTW" = yes ]; then fftw=libfftw3-single3; else fftw=; fi \
 && apt-get update \
 && apt-get install -y --no-install-recommends $jpeg $fftw \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /opt/tessera
# The command is named after the CLI's one runtimeconfig.json, whatever the assembly is called.
RUN app=$(basename /opt/tessera/*.runtimeconfig.json .runtimeconfig.json) \
 && ln -s "/opt/tessera/$app" /usr/local/bin/tessera \
 && tessera --version
WORKDIR /data
ENTRYPOINT ["tessera"]
CMD ["--help"]
