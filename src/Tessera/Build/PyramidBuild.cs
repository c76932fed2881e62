using System.Diagnostics;
using System.Globalization;
using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Illumination;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Pyramid;
using Tessera.Registration;
using Tessera.Outputs;

namespace Tessera.Build;

/// <summary>
/// <c>tessera build</c> as a library call: finds the tiles, places them on their grid, and writes
/// the pyramid into the output the request asks for (<see cref="PyramidOutputs"/>) — whole, or one
/// shard of its first round, or the finishing step after the shards; what marks the output complete
/// is written last. Finished blocks are recorded in the build's work folder as they complete, so a
/// build that is stopped (Ctrl-C, SIGTERM, SIGKILL, a crash) or fails after some work continues
/// where it was when the same command runs again (an output that cannot keep its tiles across runs
/// starts again); a build that fails before finishing any block leaves nothing behind.
/// </summary>
public static class PyramidBuild
{
    public static BuildResult Run(BuildRequest request, ITileCodec? codec = null, BuildProgress? progress = null,
        CancellationToken cancellationToken = default)
    {
        codec ??= TileCodecs.Create(CodecChoice.Auto, out _);

        // Before anything is read: a second writer of this output is refused at once, naming the first.
        request.Validate();
        OutputLocation location = OutputLocation.Of(request);
        using OutputLock writer = OutputLock.Acquire(location.Path, location.WorkDirectory, request.Shard);
        using var run = new BuildRun(request, codec, progress ?? new BuildProgress(), cancellationToken);
        return request.Shard is { } shard ? run.Shard(shard, cancellationToken)
            : request.Finish ? run.Finish(cancellationToken)
            : run.Whole(cancellationToken);
    }

    /// <summary>One run's parts, put together once, and the three things a run can be.</summary>
    private sealed class BuildRun : IDisposable
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly BuildRequest _request;
        private readonly ITileCodec _codec;
        private readonly BuildProgress _progress;
        private readonly Job _job;
        private readonly IPyramidOutput _output;
        private readonly BlockStore _store;
        private readonly IMosaicSource _source;
        private readonly PixelMemoryPool _pool = new();
        private readonly PyramidBuilder _builder;

        public BuildRun(BuildRequest request, ITileCodec codec, BuildProgress progress, CancellationToken cancellationToken)
        {
            _request = request;
            _codec = codec;
            _progress = progress;
            _job = Job.Prepare(request, codec, cancellationToken, progress);
            _output = PyramidOutputs.Create(_job, codec);
            CheckOutputPaths(_job, _output);
            _store = new BlockStore(WorkDirectory, _job.Plan, _job.PixelFormat,
                request.Shard is { } shard ? BlockStore.ShardWriter(shard.Index, shard.Count) : "blocks");
            _source = _job.CreateSource(_job.Input, _pool);
            // The output's levels bound what is built and counted: an OME or IIIF pyramid ends above level 0.
            _builder = new PyramidBuilder(_job.Plan, _job.Pyramid with { LowestLevel = LowestLevelOf(_output, _job.Geometry) }, _output, progress, _pool);
        }

        private PyramidPlan Plan => _job.Plan;

        private string WorkDirectory => _job.Location.WorkDirectory;

        /// <summary>One shard of the first round: its blocks' tiles and cores; never what completes the output.</summary>
        public BuildResult Shard(ShardSpec shard, CancellationToken cancellationToken)
        {
            RefuseIfComplete();
            _output.Open(_job.Geometry.LevelCount);
            _job.Manifest(_codec).WriteOrCheck(WorkDirectory, _job.Fingerprint.Value);
            var (start, end) = Plan.Shard(shard.Index, shard.Count);
            int skipped = Enumerable.Range(start, end - start).Count(_store.IsDone);
            _progress.SetTotal(TilesToBuild(start, end));
            ReleaseGarbage();
            _builder.BuildBlocks(_source, start, end, _store, cancellationToken);
            return Result(end - start - skipped, skipped, complete: false);
        }

        /// <summary>After every shard: the levels below the first round, then what completes the output.</summary>
        public BuildResult Finish(CancellationToken cancellationToken)
        {
            if (FinishLeftover())
            {
                return Result(0, Plan.Blocks.Count, complete: true) with { CompletedEarlier = true };
            }

            RefuseIfComplete();
            JobManifest existing = JobManifest.ReadFrom(WorkDirectory)
                ?? throw new TesseraException($"Nothing to finish: no shard has run for \"{_output.Location}\" (its work folder \"{WorkDirectory}\" is missing).");
            _job.Manifest(_codec).CheckAgainst(existing, WorkDirectory, _job.Fingerprint.Value);
            List<int> missing = _store.Missing();
            if (missing.Count > 0)
            {
                throw new TesseraException(string.Create(CultureInfo.InvariantCulture,
                    $"{missing.Count} of {Plan.Blocks.Count} blocks are not built yet (first: block {missing[0]}): run the missing or failed shards again, then Finish."), "Finish");
            }

            _output.Open(_job.Geometry.LevelCount);
            _progress.SetTotal(_builder.FinishTileCount);
            ReleaseGarbage();
            _builder.Finish(_source, _store, cancellationToken);
            CompleteOutput();
            return Result(0, Plan.Blocks.Count, complete: true);
        }

        /// <summary>
        /// Completes the output, then removes the build's work folder (its block store's files
        /// closed first). The work folder goes last of all: until then, a rerun can tell that a
        /// complete output is this job's, and finish what a stopped run left (see FinishLeftover).
        /// The pixel buffers go back to the system first, so that what completing makes (the
        /// viewer's overlay, from every tile's place) never stacks on top of them.
        /// </summary>
        private void CompleteOutput()
        {
            _store.Dispose();
            _pool.ReleaseFree();
            ReleaseGarbage();
            _output.Complete(_job.Geometry);
            _output.RemoveIntermediates();
            OutputFolder.Delete(WorkDirectory);
        }

        /// <summary>Everything in one process, continuing an interrupted run of the same job.</summary>
        public BuildResult Whole(CancellationToken cancellationToken)
        {
            if (!_request.Overwrite && FinishLeftover())
            {
                return Result(0, Plan.Blocks.Count, complete: true) with { CompletedEarlier = true };
            }

            if (!_request.Overwrite && !_output.IsComplete && _output.OnlyCompletionLeft)
            {
                CompleteOutput();
                return Result(0, Plan.Blocks.Count, complete: true);
            }

            PrepareWholeBuild();
            int alreadyDone = Enumerable.Range(0, Plan.Blocks.Count).Count(_store.IsDone);
            try
            {
                _job.Manifest(_codec).WriteOrCheck(WorkDirectory, _job.Fingerprint.Value);
                _progress.SetTotal(_builder.FinishTileCount + TilesToBuild(0, Plan.Blocks.Count));
                ReleaseGarbage();
                _builder.Build(_source, _store, cancellationToken);
                CompleteOutput();
                return Result(Plan.Blocks.Count - alreadyDone, alreadyDone, complete: true);
            }
            catch (OperationCanceledException)
            {
                // Stopped on request: everything finished so far is kept for the next run.
                throw;
            }
            catch (TesseraException e) when (Plan.HasBlockRound && _store.Missing().Count < Plan.Blocks.Count)
            {
                throw new RequestException($"{e.Message} The part already built is kept: fix this and run the same command to continue (Overwrite starts over).", e,
                    [nameof(BuildRequest.Overwrite), .. (e as RequestException)?.Properties ?? []]);
            }
            catch (Exception) when (!Plan.HasBlockRound || _store.Missing().Count == Plan.Blocks.Count)
            {
                // Nothing finished yet: leave nothing behind.
                _store.Dispose();
                _output.Delete();
                OutputFolder.Delete(WorkDirectory);
                throw;
            }
        }

        /// <summary>
        /// A whole build starts afresh, or continues one that was interrupted: a work folder whose job
        /// file matches means finished blocks are kept and only the rest is built (where the output
        /// keeps its tiles across runs; one that does not starts again, blocks and all). A complete
        /// output, another job's leftovers or stray files are refused without Overwrite, and removed with it.
        /// </summary>
        private void PrepareWholeBuild()
        {
            if (_request.Overwrite)
            {
                _output.Delete();
                OutputFolder.Delete(WorkDirectory);
            }
            else if (_output.IsComplete)
            {
                throw new RequestException($"Output \"{_output.Location}\" already exists; use Overwrite to replace it.", nameof(BuildRequest.Overwrite));
            }
            else if (JobManifest.ReadFrom(WorkDirectory) is { } existing)
            {
                _job.Manifest(_codec).CheckAgainst(existing, WorkDirectory, _job.Fingerprint.Value);
                if (!_output.KeepsTilesAcrossRuns)
                {
                    _store.Dispose();
                    OutputFolder.Delete(WorkDirectory);
                }
            }
            else if (_output.Folders.FirstOrDefault(OutputFolder.HoldsAnything) is { } started)
            {
                // Made by Tessera (CheckOutputPaths refuses anything else), but with no job file to continue from.
                throw new RequestException($"Output \"{_output.CompleteFile}\" is not complete and \"{started}\" holds no build to continue; use Overwrite to replace it.",
                    nameof(BuildRequest.Overwrite));
            }

            _output.Open(_job.Geometry.LevelCount);
        }

        /// <summary>
        /// A run stopped after it completed the output (the .dzi, info.json, .zip, .ome.tif or
        /// .zgroup written) but before it removed its work folder (and a zip's folder pyramid) leaves
        /// them; when they are this job's, that removal is all there is left to do.
        /// </summary>
        private bool FinishLeftover()
        {
            if (!_output.IsComplete || JobManifest.ReadFrom(WorkDirectory) is not { } existing
                || !_job.Manifest(_codec).IsSameJob(existing))
            {
                return false;
            }

            _store.Dispose();
            _output.RemoveIntermediates();
            OutputFolder.Delete(WorkDirectory);
            return true;
        }

        /// <summary>
        /// Hands garbage back to the system: before the first pixel, what reading the folder, the
        /// grid, the input fingerprint and (with a flat field) the estimate left behind, tens of MB
        /// on a big grid, which the collector would otherwise keep committed under the pyramid's
        /// buffers, so that the peak grew with the tile count; after the last, the pixel buffers.
        /// Two full collections per run, of a heap of a few MB of live objects.
        /// </summary>
        private static void ReleaseGarbage() =>
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

        private void RefuseIfComplete()
        {
            if (_output.IsComplete)
            {
                throw new TesseraException($"\"{_output.Location}\" is already complete; remove it to build it again.");
            }
        }

        /// <summary>Tiles of the first-round blocks [start, end) that are not done yet.</summary>
        private long TilesToBuild(int start, int end) =>
            Enumerable.Range(start, end - start).Where(b => !_store.IsDone(b)).Sum(b => _builder.BlockTileCount(b, b + 1));

        private BuildResult Result(int built, int skipped, bool complete) => new(
            _job.Location.Path, _job.Geometry, _job.Grid?.Columns ?? 0, _job.Grid?.Rows ?? 0, _job.First.Width, _job.First.Height,
            _job.OverlapX, _job.OverlapY, _job.MissingCells,
            _progress.TilesWritten - _progress.BlankTiles, _progress.BlankTiles, _source.Decodes, _clock.Elapsed)
        {
            InputRange = _job.PixelFormat.IsSixteenBit() ? null : _job.Input.Range,
            SampleBits = _job.PixelFormat.IsSixteenBit() ? 16 : 8,
            Shard = _request.Shard, BlocksBuilt = built, BlocksSkipped = skipped, Complete = complete, Written = _output.Location,
            Levels = _output.LevelsOf(_job.Geometry),
            Correction = _job.Correction?.Describe(),
            PixelMemoryPeakBytes = _pool.PeakBytes,
            TileCount = _job.TileCount,
            Positioned = _job.Request.Placements is not null,
            Registration = _job.Registered,
            RegistrationFiles = _job.Registered is null ? null : RegistrationFiles.BesideOutput(_job.Location.Name),
            LeftOut = _job.Grid?.LeftOut ?? [],
        };

        public void Dispose()
        {
            _source.Dispose();
            _store.Dispose();
            _output.Dispose();
        }
    }

    /// <summary>
    /// Before anything is written: the output's files must not be folders, and its folders and the
    /// work folder must be new, empty or Tessera's own, and hold none of the input (which removing
    /// them would remove).
    /// </summary>
    private static void CheckOutputPaths(Job job, IPyramidOutput output)
    {
        foreach (string file in output.Files)
        {
            if (Directory.Exists(file))
            {
                throw new TesseraException($"\"{file}\" is a folder, where the output is a file: choose another output.");
            }
        }

        IReadOnlyList<string> inputFolders = job.InputFolders();
        foreach (string folder in output.Folders.Append(job.Location.WorkDirectory))
        {
            if (inputFolders.FirstOrDefault(input => IsSameOrInside(input, folder)) is { } input)
            {
                throw new TesseraException(input == folder
                    ? $"The output folder \"{folder}\" is the input folder: choose an output outside it."
                    : $"The output folder \"{folder}\" contains the input folder \"{input}\": choose an output outside it.");
            }

            OutputFolder.RefuseIfForeign(folder);
        }
    }

    /// <summary>The lowest level of <paramref name="geometry"/>'s pyramid that <paramref name="output"/> holds.</summary>
    internal static int LowestLevelOf(IPyramidOutput output, DziGeometry geometry) => geometry.LevelCount - output.LevelsOf(geometry);

    private static bool IsSameOrInside(string path, string folder)
    {
        string inner = Path.TrimEndingDirectorySeparator(path), outer = Path.TrimEndingDirectorySeparator(folder);
        return inner == outer || inner.StartsWith(outer + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>Everything known about a build before any pixel is read.</summary>
    /// <param name="Grid">The grid the tiles were found on; null where a positions list gave them without one.</param>
    /// <param name="Mosaic">The tiles on their nominal grid, where they are placed so and blended by seams (the fast path).</param>
    /// <param name="Placed">The tiles at explicit positions, or on the grid with another blend; null on the fast path.</param>
    /// <param name="FlatField">The flat-field and the tile gains divided out of every tile, or null; worked out on first use (an estimate or a gain measurement reads tiles, which <c>plan</c> never does).</param>
    internal sealed record Job(
        BuildRequest Request, TileGrid? Grid, ImageHeader First, int OverlapX, int OverlapY, GridMosaic? Mosaic, PlacedMosaic? Placed,
        Lazy<ITileCorrection?> FlatField, OutputLocation Location, PyramidOptions Pyramid, DziGeometry Geometry, PyramidPlan Plan,
        TileInputCodec Input, IReadOnlyList<string> InputFiles, Lazy<InputFingerprint> Fingerprint)
    {
        public ITileCorrection? Correction => FlatField.Value;

        /// <summary>The report of the registration this job ran to place its tiles; null where it ran none.</summary>
        public Registration.RegistrationReport? Registered { get; init; }

        /// <summary>
        /// Grey if the first tile is grey, else colour; 16-bit where the first tile is and the layout
        /// keeps it (see <see cref="SampleDepth"/>); every tile is converted to it.
        /// </summary>
        public PixelFormat PixelFormat { get; init; } = First.Format;

        public int TileCount => Grid?.PresentCount ?? Placed!.Count;

        public string FirstTile => Grid?.FirstTile ?? Placed!.PathOf(0);

        public IReadOnlyList<(int Column, int Row)> MissingCells => Grid?.MissingCells().ToList() ?? [];

        /// <summary>How far apart neighbouring tiles typically are, across and down.</summary>
        public (int X, int Y) Step => (Math.Max(1, First.Width - OverlapX), Math.Max(1, First.Height - OverlapY));

        /// <param name="cancellationToken">Stops the reading of headers and the flat-field estimate, which can take a while on a big tile set.</param>
        /// <param name="progress">Where a registration and a gain measurement count their work.</param>
        public static Job Prepare(BuildRequest request, ITileCodec codec, CancellationToken cancellationToken = default, BuildProgress? progress = null)
        {
            // First of all: nothing is read or written for a request the engine cannot build.
            request.Validate();
            TileCorrections.Check(request);
            var location = OutputLocation.Of(request);
            TileGrid? grid = request.Placements is null ? GridScanner.Scan(request.InputDirectory, request.Layout) : null;
            IReadOnlyList<string> files = request.Placements?.Select(p => p.Path).ToList() ?? grid!.Files();
            if (files.Count == 0)
            {
                throw new LayoutException("The positions list no tiles.");
            }

            // Every read below (headers, flat-field, the build) goes through the input codec: all formats and depths, one range.
            // On a grid every tile must be the first one's size, checked on each header before its pixels are decoded.
            var input = new TileInputCodec(codec, request.Input, request.Background, files);
            ImageHeader first = input.ReadHeader(files[0]);
            if (grid is not null)
            {
                input = input.ForGrid(files[0], first);
            }

            codec = input;
            PixelFormat format = SampleDepth.Of(request, files[0], first);
            Registration.RegistrationReport? registered = null;
            Illumination.FlatField? registeredField = null;
            if (request.Registration is not null)
            {
                // The grid just scanned and the codec just made register it; every tile's size is the first one's, checked there.
                request = BuildRegistration.Register(request, grid!, input, first, RegistrationFiles.BesideOutput(location.Name), progress, cancellationToken,
                    out registered, out registeredField);
            }

            var (overlapX, overlapY) = request.Overlap.ToPixels(first.Width, first.Height);
            GridMosaic? mosaic = grid is null ? null : new GridMosaic(grid, first.Width, first.Height, overlapX, overlapY);
            PlacedMosaic? placed = registered is not null ? PlacedMosaic.FromPlacements(request.Placements!, _ => (first.Width, first.Height))
                : request.Placements is { } placements ? Place(placements, codec, cancellationToken)
                : request.Blend != BlendMode.Seam ? PlacedMosaic.FromGrid(mosaic!)
                : null;
            PyramidOptions pyramid = request.Pyramid with
            {
                TemporaryDirectory = location.Parent,
                SkipBlank = request.SkipBlankTolerance is null ? null : request.Background,
                SkipBlankTolerance = request.SkipBlankTolerance ?? 0,
            };
            var geometry = placed is null
                ? new DziGeometry(mosaic!.Width, mosaic.Height, pyramid.TileSize, pyramid.Overlap)
                : new DziGeometry(placed.Width, placed.Height, pyramid.TileSize, pyramid.Overlap);
            // Bands as narrow as the decodes twice across their edges allow: the tiles kept for the block row below are one band's.
            var plan = new PyramidPlan(geometry, pyramid.BlockLevels,
                PyramidPlan.BandBlocksFor(pyramid.TileSize << pyramid.BlockLevels, Math.Max(1, first.Width - overlapX)));
            var flatField = new Lazy<ITileCorrection?>(() => TileCorrections.Create(request, files, input, first, format, placed, cancellationToken, progress?.Gains, registeredField));
            IReadOnlyList<string> inputFiles = request.FlatField is { } field
                ? [.. files, .. new[] { field.GainFile, field.DarkFile }.OfType<string>()]
                : files;
            return new Job(request, grid, first, overlapX, overlapY, placed is null ? mosaic : null, placed, flatField,
                location, pyramid, geometry, plan, input, inputFiles,
                new Lazy<InputFingerprint>(() => InputFingerprint.Of(Path.GetFullPath(request.InputDirectory), inputFiles)))
            {
                Registered = registered,
                PixelFormat = format,
            };
        }

        /// <summary>
        /// The folders the input files are in, and the input folder itself, as full paths. A folder is
        /// worked out once for each run of files named in it (a grid's are all in one), not once a file.
        /// </summary>
        public IReadOnlyList<string> InputFolders()
        {
            var folders = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            string? last = null;
            foreach (string file in InputFiles)
            {
                ReadOnlySpan<char> folder = Path.GetDirectoryName(file.AsSpan());
                if (last is not null && folder.SequenceEqual(last))
                {
                    continue;
                }

                last = folder.ToString();
                Add(Path.GetDirectoryName(Path.GetFullPath(file))!);
            }

            Add(Path.GetFullPath(Request.InputDirectory));
            return folders;

            void Add(string folder)
            {
                if (seen.Add(folder))
                {
                    folders.Add(folder);
                }
            }
        }

        /// <summary>Each tile's size from its header (read in parallel: a positions list may name tiles of any size); a bad header fails as itself.</summary>
        private static PlacedMosaic Place(IReadOnlyList<TilePlacement> placements, ITileCodec codec, CancellationToken cancellationToken)
        {
            var sizes = new (int Width, int Height)[placements.Count];
            WorkerThreads.For(placements.Count, Environment.ProcessorCount, i =>
            {
                ImageHeader header = codec.ReadHeader(placements[i].Path);
                sizes[i] = (header.Width, header.Height);
            }, "headers", cancellationToken);
            return PlacedMosaic.FromPlacements(placements, i => sizes[i]);
        }

        /// <summary>The source of the stitched plane's pixels.</summary>
        public IMosaicSource CreateSource(ITileCodec codec, PixelMemoryPool pool) => Placed is not null
            ? new PlacedMosaicSource(Placed, Request.Blend, PixelFormat, codec, Request.Background, Request.TileCacheBytes, pool, Correction)
            : new MosaicSource(Mosaic!, PixelFormat, codec, Request.Background, Request.TileCacheBytes, pool, Correction);

        public JobManifest Manifest(ITileCodec codec) => new(
            Path.GetFullPath(Request.InputDirectory),
            Request.Layout.Describe(),
            Grid?.Columns ?? 0, Grid?.Rows ?? 0, First.Width, First.Height, OverlapX, OverlapY, Request.Background.ToString(),
            Geometry.Width, Geometry.Height, Geometry.TileSize, Geometry.Overlap,
            Pyramid.Encode.Format.DziName(), Pyramid.Encode.Quality, Pyramid.BlockLevels, PixelFormat.ToString(), codec.Name,
            Request.SkipBlankTolerance is not null, Request.PyramidLayout.ToString())
        {
            BandBlocks = Plan.BandBlocks,
            SkipBlankTolerance = Request.SkipBlankTolerance ?? 0,
            Blend = Request.Blend.Name(),
            Positions = Request.Placements is { } placements ? PlacementDigest(placements) : "grid",
            Correction = Correction?.Describe() ?? "none",
            Reading = PixelFormat.IsSixteenBit() ? Input.DescribeKept() : Input.Describe(),
            Inputs = Fingerprint.Value.Digest,
        };

        /// <summary>A fingerprint of the tile positions, so shards of one job agree on them.</summary>
        private static string PlacementDigest(IReadOnlyList<TilePlacement> placements)
        {
            using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            foreach (TilePlacement p in placements)
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{p.Path}\n{p.X:R}\n{p.Y:R}\n")));
            }

            return $"{placements.Count} tiles, sha256 {Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant()}";
        }
    }
}
