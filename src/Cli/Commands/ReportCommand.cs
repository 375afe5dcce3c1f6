using System.CommandLine;
using GiGpoNet.Experiments.Ablations;

namespace GiGpoNet.Cli.Commands;

/// <summary><c>gigpo report</c>: rebuild an ablation's tables and curves from its run folders, without running anything.</summary>
internal static class ReportCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var folder = new Argument<string>("folder") { Description = "The output folder of 'gigpo ablate' (it holds one run folder per cell)." };
        var command = new Command("report", "Write results.md, results.csv and learning-curve PNGs for an ablation folder from its run folders.") { folder };
        command.SetAction(parse => CliErrors.Run(error, () =>
        {
            var written = AblationReport.Write(parse.GetValue(folder)!);
            foreach (var path in written) output.WriteLine(path);
            return ExitCodes.Success;
        }));
        return command;
    }
}
