using Tessera.Tests.Support;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Tessera.Tests;

/// <summary>
/// deploy/kubernetes/tessera-job.yaml holds together: an Indexed Job whose index is the shard, a
/// finish Job with the same options that waits for it with the rights it needs, and options the
/// real tessera accepts. No Kubernetes runs here (docs/CLUSTER.md says what was and was not run).
/// </summary>
public sealed class KubernetesManifestTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly YamlMappingNode[] _documents = Load();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_shards_are_an_indexed_job_whose_index_is_the_shard_and_each_index_is_retried_alone()
    {
        YamlMappingNode spec = Map(Job("tessera-shards"), "spec");
        Assert.Equal("Indexed", Scalar(spec, "completionMode"));
        string[] args = TesseraArgs(Job("tessera-shards"));
        Assert.Equal("build", args[0]);
        Assert.Equal("--shard", args[^2]);
        Assert.Equal(Scalar(spec, "completions"), args[^1]); // --shard N takes the index from JOB_COMPLETION_INDEX
        Assert.True(int.Parse(Scalar(spec, "backoffLimitPerIndex"), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("Never", Scalar(Map(spec, "template", "spec"), "restartPolicy")); // what backoffLimitPerIndex needs

        // Bad input (exit 1) fails its index at once instead of being retried.
        var rules = (YamlSequenceNode)Map(spec, "podFailurePolicy")["rules"];
        Assert.Contains(rules.Cast<YamlMappingNode>(), rule => Scalar(rule, "action") == "FailIndex"
            && ((YamlSequenceNode)Map(rule, "onExitCodes")["values"]).Select(v => v.ToString()).SequenceEqual(["1"]));
    }

    [Fact]
    public void The_finish_job_has_the_shards_options_and_may_watch_the_shard_job_it_waits_for()
    {
        string[] shard = TesseraArgs(Job("tessera-shards")), finish = TesseraArgs(Job("tessera-finish"));
        Assert.Equal([.. shard[..^2], "--finish"], finish);
        Assert.Equal(Image(Job("tessera-shards")), Image(Job("tessera-finish")));
        Assert.Equal(Claim(Job("tessera-shards")), Claim(Job("tessera-finish")));

        YamlMappingNode pod = Map(Job("tessera-finish"), "spec", "template", "spec");
        var wait = (YamlMappingNode)((YamlSequenceNode)pod["initContainers"]).Single();
        string[] command = Strings(wait, "command");
        Assert.Equal(["kubectl", "wait", "--for=condition=complete"], command[..3]);
        Assert.Contains("job/tessera-shards", command);

        string account = Scalar(pod, "serviceAccountName");
        Assert.Contains(_documents, d => Scalar(d, "kind") == "ServiceAccount" && Scalar(Map(d, "metadata"), "name") == account);
        YamlMappingNode binding = _documents.Single(d => Scalar(d, "kind") == "RoleBinding");
        Assert.Contains(((YamlSequenceNode)binding["subjects"]).Cast<YamlMappingNode>(),
            s => Scalar(s, "kind") == "ServiceAccount" && Scalar(s, "name") == account);
        YamlMappingNode role = _documents.Single(d => Scalar(d, "kind") == "Role" && Scalar(Map(d, "metadata"), "name") == Scalar(Map(binding, "roleRef"), "name"));
        var rule = ((YamlSequenceNode)role["rules"]).Cast<YamlMappingNode>()
            .Single(r => Strings(r, "apiGroups").Contains("batch") && Strings(r, "resources").Contains("jobs"));
        Assert.Superset(new HashSet<string> { "get", "list", "watch" }, Strings(rule, "verbs").ToHashSet()); // what kubectl wait uses
    }

    [Fact]
    public void The_manifests_shard_and_finish_commands_build_a_pyramid_with_the_real_tessera()
    {
        var sample = CliRunner.Run("sample", _dir.Combine("data", "tiles"), "--across", "3", "--down", "2");
        Assert.True(sample.ExitCode == 0, sample.Error);

        // The manifest's /data is the volume; here it is a folder. One shard does all the work.
        string[] shard = [.. TesseraArgs(Job("tessera-shards")).Select(Local)];
        var built = CliRunner.Run([.. shard[..^1], "0/1"]);
        Assert.True(built.ExitCode == 0, built.Error);
        var finished = CliRunner.Run([.. TesseraArgs(Job("tessera-finish")).Select(Local)]);
        Assert.True(finished.ExitCode == 0, finished.Error);
        Assert.True(File.Exists(Local("/data/slide.dzi")));
    }

    private string Local(string arg) => arg.StartsWith("/data/", StringComparison.Ordinal) ? _dir.Combine("data", arg["/data/".Length..]) : arg;

    private static YamlMappingNode[] Load()
    {
        string path = Repository.Combine("deploy", "kubernetes", "tessera-job.yaml");
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private YamlMappingNode Job(string name) =>
        _documents.Single(d => Scalar(d, "kind") == "Job" && Scalar(Map(d, "metadata"), "name") == name);

    /// <summary>The args of the one container, the tessera image's (its entrypoint is tessera).</summary>
    private static string[] TesseraArgs(YamlMappingNode job) => Strings(Container(job), "args");

    private static YamlMappingNode Container(YamlMappingNode job) =>
        (YamlMappingNode)((YamlSequenceNode)Map(job, "spec", "template", "spec")["containers"]).Single();

    private static string Image(YamlMappingNode job) => Scalar(Container(job), "image");

    private static string Claim(YamlMappingNode job) =>
        Scalar(Map((YamlMappingNode)((YamlSequenceNode)Map(job, "spec", "template", "spec")["volumes"]).Single(), "persistentVolumeClaim"), "claimName");

    private static YamlMappingNode Map(YamlMappingNode node, params string[] keys)
    {
        foreach (string key in keys)
        {
            node = (YamlMappingNode)node[key];
        }

        return node;
    }

    private static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? value) ? ((YamlScalarNode)value).Value ?? "" : "";

    private static string[] Strings(YamlMappingNode node, string key) =>
        [.. ((YamlSequenceNode)node[key]).Select(item => ((YamlScalarNode)item).Value ?? "")];
}
