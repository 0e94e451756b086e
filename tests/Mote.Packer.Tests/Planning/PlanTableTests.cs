using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.Json;
using Mote.Packer.Planning;
using Mote.Packer.Tests.Models;
using Mote.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace Mote.Packer.Tests.Planning
{
    /// <summary>
    /// The per-model arena table of docs/memory.md, printed by this test (run it with
    /// <c>dotnet test --filter PlanTableTests --logger "console;verbosity=detailed"</c>) and checked:
    /// every shared model's arena is at least its lower bound, at most greedy by size, and within TFLM's.
    /// </summary>
    public class PlanTableTests
    {
        readonly ITestOutputHelper output;

        public PlanTableTests(ITestOutputHelper output) { this.output = output; }

        [SkippableFact]
        public void ArenaTable_EverySharedModel()
        {
            string models = SharedData.Require("models");
            var sb = new StringBuilder();
            var opt = new StringBuilder();
            sb.AppendLine("| model | TFLM arena B | Mote before B | Mote now B | lower bound B | now / TFLM | in-place reuses | winning strategy |");
            sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
            double slowest = 0;
            foreach (var name in SharedModels.InScope)
            {
                var packed = SharedModels.Pack(SharedModels.ModelPath(name));
                var g = packed.Graph;
                using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(models, name + ".vectors", "meta.json")));
                long tflm = meta.RootElement.GetProperty("tflm_arena_used_bytes").GetInt64();
                int before = ArenaPlanner.Evaluate(g, PlanOptions.Baseline).ArenaBytes;
                var watch = Stopwatch.StartNew();
                var plan = ArenaPlanner.Evaluate(g, new PlanOptions());
                double ms = watch.Elapsed.TotalMilliseconds;
                Assert.Equal(g.ArenaBytes, plan.ArenaBytes); // deterministic: the packed plan again
                Assert.True(plan.ArenaBytes >= plan.LowerBound && plan.ArenaBytes <= before);
                Assert.True(plan.ArenaBytes <= tflm, $"{name}: Mote arena {plan.ArenaBytes} > TFLM {tflm}");
                string strategy = plan.Strategy + (plan.IsOptimal ? " (optimal)" : "");
                var overwrite = ArenaPlanner.Evaluate(g, new PlanOptions { OverwriteModelInputs = true });
                Assert.True(overwrite.LowerBound <= plan.LowerBound);
                if (overwrite.ArenaBytes != plan.ArenaBytes)
                    opt.AppendLine($"| {name} | {overwrite.ArenaBytes} | {(double)overwrite.ArenaBytes / tflm:0.00} | {overwrite.Strategy} |");
                sb.AppendLine($"| {name} | {tflm} | {before} | {plan.ArenaBytes} | {plan.LowerBound} | {(double)plan.ArenaBytes / tflm:0.00} | {plan.Aliases.Count} | {strategy} |");
                slowest = Math.Max(slowest, ms);
            }
            output.WriteLine(sb.ToString());
            output.WriteLine($"Slowest plan (every strategy, search when not optimal): {slowest:0.0} ms.");
            output.WriteLine("");
            output.WriteLine("Opt-in OverwriteModelInputs (kernels may write over a dying model input), where it changes the arena:");
            output.WriteLine("| model | arena B | / TFLM | winning strategy |");
            output.WriteLine("|---|---:|---:|---|");
            output.WriteLine(opt.ToString());
        }
    }
}
