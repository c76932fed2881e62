using System.CommandLine;
using System.Globalization;
using Tessera.Build;
using Tessera.Codecs;
using Tessera.Illumination;
using Tessera.Layout;
using Tessera.Pyramid;
using Tessera.Registration;
using Tessera.Outputs;

namespace Tessera.Cli;

/// <summary><c>tessera build INPUT_DIR OUTPUT.dzi</c>: parses the options and runs <see cref="PyramidBuild"/>.</summary>
internal static class BuildCommand
{
    public static Command Create()
    {
        var options = new BuildOptions();
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing output pyramid." };
        var shard = new Option<string?>("--shard")
        {
            Description = "Build only shard I of N of the base levels: I/N (from 0), or N with I taken from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX. Shards share OUTPUT and may run anywhere, in any order; run --finish once all are done. See docs/CLUSTER.md.",
        };
        var container = new Option<string>("--container")
        {
            Description = "directory (OUTPUT.dzi and OUTPUT_files) or zip (one OUTPUT.zip, entries stored, as libvips writes it).",
            DefaultValueFactory = _ => "directory",
        };
        container.AcceptOnlyFromAmong("directory", "zip");
        Option<string> layout = BuildOptions.CreateLayoutOption();
        var iiifId = new Option<string>("--iiif-id") { Description = "Base URL of the IIIF service (the image's id is this/OUTPUT).", DefaultValueFactory = _ => "https://example.com/iiif" };
        var skipBlank = new Option<int?>("--skip-blank")
        {
            Description = $"Leave out tiles whose every pixel is within TOLERANCE levels (per channel, 0-255; {BuildRequest.DefaultSkipBlankTolerance} when not given) of the background colour: viewers show a missing tile as empty. 0 leaves out only tiles exactly the background.",
            HelpName = "TOLERANCE",
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = SkipBlankTolerance,
        };
        var finish = new Option<bool>("--finish") { Description = "After all shards: build the remaining levels and write OUTPUT.dzi." };
        var register = new Option<bool>("--register")
        {
            Description = "Measure where every tile really is first (as tessera register), write the positions to OUTPUT.registered.txt with a report beside it, and build with them.",
        };
        var registration = new RegistrationCliOptions();

        var command = new Command("build", "Build a Deep Zoom pyramid straight from a grid of overlapping tiles.");
        options.AddTo(command);
        command.Options.Add(overwrite);
        command.Options.Add(shard);
        command.Options.Add(finish);
        command.Options.Add(skipBlank);
        command.Options.Add(container);
        command.Options.Add(layout);
        command.Options.Add(iiifId);
        command.Options.Add(register);
        registration.AddTo(command);
        command.SetAction((result, cancellationToken) => Task.FromResult(Errors.Guard(() =>
        {
            // From the start: reading the positions file or the tiles' headers can wait too.
            using var signals = new StopSignals(cancellationToken, "what is finished is kept: run the same command to continue.");
            BuildRequest request = options.ToRequest(result, BuildOptions.ParseLayout(result.GetValue(layout)!)) with
            {
                Overwrite = result.GetValue(overwrite),
                Shard = result.GetValue(shard) is { } text ? ShardSpec.Parse(text, Environment.GetEnvironmentVariable) : null,
                Finish = result.GetValue(finish),
                SkipBlankTolerance = result.GetValue(skipBlank),
                Container = result.GetValue(container) == "zip" ? OutputContainer.Zip : OutputContainer.Directory,
                IiifBaseId = result.GetValue(iiifId)!,
            };
            if (result.GetValue(register))
            {
                request = request.Placements is not null ? throw new TesseraException("--register measures the positions; --positions gives them: use one.")
                    : request.Shard is not null || request.Finish ? throw new TesseraException("Shards must share one set of positions: run tessera register once, then give every shard and --finish --positions FILE.")
                    : request with
                    {
                        Registration = registration.ToOptions(result, request.Pyramid.Threads),
                        Gains = options.Balances(result) ? GainsSpec.Measure() : null,
                    };
            }

            return Run(request, options.Codec(result), signals.Token);
        })));
        return command;
    }

    private static int Run(BuildRequest request, CodecChoice choice, CancellationToken cancellationToken)
    {
        ITileCodec codec = TileCodecs.Create(choice, out string codecName);
        using var disposeCodec = codec as IDisposable;
        var progress = new BuildProgress();
        using var reporter = ProgressReporter.Start(progress);
        BuildResult result;
        try
        {
            result = PyramidBuild.Run(request, codec, progress, cancellationToken);
        }
        catch (GainsFileException e)
        {
            reporter.Stop();
            throw new TesseraException($"{e.Message} (--balance off builds without them.)", e);
        }
        catch (Exception e) when (e is OperationCanceledException or TesseraException)
        {
            reporter.Stop();
            if (e is TesseraException)
            {
                throw;
            }

            Console.Error.WriteLine(request.Finish
                ? "tessera: cancelled; run the same command to finish."
                : "tessera: cancelled; what is finished is kept: run the same command to continue (--overwrite starts over).");
            return StopSignals.ExitCode;
        }

        reporter.Stop();
        RegistrationFiles? files = result.RegistrationFiles;
        if (result.Registration is { } registered && files is not null)
        {
            Console.Write(registered.Format());
            Console.WriteLine($"wrote             {files.Positions}");
        }

        PrintSummary(result, codecName);
        LayoutWarnings.PrintLeftOut(result.LeftOut, request.Layout);
        if (request.Gains is { IsMeasured: true } measured && (measured.WriteTo ?? files?.Gains) is { } gains)
        {
            Console.WriteLine($"wrote             {gains}");
        }

        PrintRange(result, request);
        return 0;
    }

    private static void PrintRange(BuildResult r, BuildRequest request)
    {
        if (r.SampleBits == 16)
        {
            Console.WriteLine("16-bit input kept at 16 bits (uint16 samples; --range would map it to 8 bits).");
        }
        else if (r.InputRange is { } range)
        {
            Console.WriteLine(request.Input.Range is null
                ? $"16-bit input mapped to 8 bits with --range {range} (automatic: 0.1 and 99.9 percentiles of up to {AutoRange.SampleTiles} tiles)."
                : $"16-bit input mapped to 8 bits with --range {range}.");
        }
    }

    private static void PrintSummary(BuildResult r, string codecName)
    {
        var inv = CultureInfo.InvariantCulture;
        double seconds = r.Elapsed.TotalSeconds;
        string what = r.Shard is { } shard
            ? string.Create(inv, $"Shard {shard}: {r.BlocksBuilt} blocks built, {r.BlocksSkipped} already done")
            : string.Create(inv, $"Wrote {r.Written}: {r.Geometry.Width}×{r.Geometry.Height} px, {r.Levels} levels");
        Console.WriteLine(string.Format(inv, "{0}, {1:N0} tiles in {2:F1} s ({3:N0} tiles/s).",
            what, r.TilesWritten, seconds, r.TilesWritten / Math.Max(seconds, 1e-3)));
        Console.WriteLine(r.Positioned
            ? string.Format(inv, "Input: {0:N0} tiles at the positions given, the first {1}×{2} px; {3:N0} tile decodes; codec: {4}.",
                r.TileCount, r.TileWidth, r.TileHeight, r.InputDecodes, codecName)
            : string.Format(inv, "Input: {0}×{1} grid of {2}×{3} px tiles, overlap {4}×{5} px; {6:N0} tile decodes; codec: {7}.",
                r.Columns, r.Rows, r.TileWidth, r.TileHeight, r.OverlapX, r.OverlapY, r.InputDecodes, codecName));
        if (r.Correction is not null)
        {
            Console.WriteLine($"Illumination: {r.Correction}.");
        }

        if (r.BlankTiles > 0)
        {
            Console.WriteLine(string.Create(inv, $"{r.BlankTiles:N0} blank tiles were left out."));
        }

        if (r.CompletedEarlier)
        {
            Console.WriteLine("The pyramid was already complete: a run stopped at its very end had left its work folder, which is now removed.");
        }

        if (r.Shard is null && r.BlocksSkipped > 0 && r.BlocksBuilt > 0)
        {
            Console.WriteLine(string.Create(inv, $"Continued an interrupted build: {r.BlocksSkipped} of {r.BlocksSkipped + r.BlocksBuilt} blocks were already done."));
        }

        if (r.Shard is not null)
        {
            Console.WriteLine($"When every shard is done, run the same command with --finish instead of --shard.");
        }

        if (r.MissingCells.Count > 0)
        {
            const int shown = 20;
            string cells = string.Join(", ", r.MissingCells.Take(shown).Select(c => string.Create(inv, $"({c.Column},{c.Row})")));
            string more = r.MissingCells.Count > shown ? string.Create(inv, $" and {r.MissingCells.Count - shown} more") : string.Empty;
            Console.Error.WriteLine(string.Create(inv,
                $"tessera: warning: {r.MissingCells.Count} grid cell(s) had no tile and were filled with the background: {cells}{more}."));
        }
    }

    /// <summary>
    /// The tolerance after <c>--skip-blank</c>, or the default when none follows (at the end, or
    /// before another option). An option's optional value cannot be told from an argument, so a
    /// word that is not a number is refused rather than taken for INPUT_DIR.
    /// </summary>
    private static int? SkipBlankTolerance(System.CommandLine.Parsing.ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return BuildRequest.DefaultSkipBlankTolerance;
        }

        string text = result.Tokens[0].Value;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int tolerance) || tolerance is < 0 or > 255)
        {
            result.AddError($"--skip-blank: \"{text}\" is not a tolerance of 0 to 255 levels (a bare --skip-blank goes after the arguments or before another option).");
            return null;
        }

        return tolerance;
    }
}
