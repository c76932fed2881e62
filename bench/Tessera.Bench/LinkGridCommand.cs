using System.Globalization;

namespace Tessera.Bench;

/// <summary>
/// <c>link-grid DIR --across N --down M --from TILE</c>: N×M tile names that are all hard links to
/// TILE (a copy per 50,000 links, ext4's limit being 65,000): a 600×600 grid for timing
/// <c>tessera plan</c>, which reads names and one header, in seconds and almost no disk.
/// </summary>
internal static class LinkGridCommand
{
    public static void Run(CommandArguments args)
    {
        var directory = args.Positional(0, "DIR");
        var across = args.RequiredInt("across", 1);
        var down = args.RequiredInt("down", 1);
        var from = args.String("from", "");
        args.EnsureAllUsed(1);
        if (!File.Exists(from))
        {
            throw new UsageException("--from must name an existing tile");
        }

        var marker = Path.Combine(directory, ".complete");
        var expected = string.Create(CultureInfo.InvariantCulture, $"{across}x{down}");
        if (File.Exists(marker) && File.ReadAllText(marker) == expected)
        {
            return;
        }

        Directory.CreateDirectory(directory);
        var copies = Path.Combine(directory, ".copies");
        Directory.CreateDirectory(copies);
        for (var i = 0; i < across * down; i++)
        {
            var source = Path.Combine(copies, string.Create(CultureInfo.InvariantCulture, $"{i / HardLink.PerFile}.jpg"));
            if (i % HardLink.PerFile == 0 && !File.Exists(source))
            {
                File.Copy(from, source);
            }

            var link = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{i % across}_{i / across}.jpg"));
            if (!File.Exists(link))
            {
                HardLink.Create(source, link);
            }
        }

        File.WriteAllText(marker, expected);
    }
}
