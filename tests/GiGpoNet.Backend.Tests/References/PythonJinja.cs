using System.Text.Json.Nodes;

namespace GiGpoNet.Backend.Tests.References;

/// <summary>Renders templates with Python's jinja2 configured as transformers configures it (TestData/chat-templates/render_reference.py).</summary>
internal static class PythonJinja
{
    /// <summary>What Python renders for each (template, variables): the text, or the error's message.</summary>
    public static List<(string? Text, string? Error)> Render(IReadOnlyList<(string Template, JsonObject Variables)> cases)
    {
        var folder = Path.Combine(Path.GetTempPath(), "gigpo-jinja-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var input = new JsonArray([.. cases.Select(c => (JsonNode)new JsonObject { ["template"] = c.Template, ["variables"] = c.Variables.DeepClone() })]);
            File.WriteAllText(Path.Combine(folder, "cases.json"), input.ToJsonString());
            var script = Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "chat-templates", "render_reference.py");
            var (code, output) = ExternalReference.Run("python3", $"\"{script}\" cases.json out.json", folder);
            Assert.That(code, Is.EqualTo(0), "python3 with jinja2 is needed as the reference renderer (.ci/run installs python3-jinja2): " + output);
            var results = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "out.json")))!.AsArray();
            return [.. results.Select(r => (r!["text"]?.GetValue<string>(), r["error"]?.GetValue<string>()))];
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }
}
