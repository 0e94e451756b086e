using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Mote.Packer;
using Mote.Packer.Profiles;
using Mote.Runtime.Format;

namespace Mote.Cli
{
    /// <summary>`mote pack --profile`: finds the profile, runs the fit check (Mote.Packer.Profiles) and formats it.</summary>
    static class FitText
    {
        static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        static IEnumerable<string> Starts() => new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory };

        /// <summary>A profile file, or the id of one in the repository's hardware-profiles/ (found like tools/samples).</summary>
        public static HardwareProfile Load(string fileOrId) => ProfileLoader.Resolve(fileOrId, Starts());

        /// <summary>The repository's profiles (for "fits on"; read only when a model does not fit); none when the directory is not found.</summary>
        static IEnumerable<HardwareProfile> Shipped()
        {
            string dir = ProfileLoader.FindDirectory(Starts());
            if (dir == null) yield break;
            foreach (var p in ProfileLoader.LoadAll(dir)) yield return p;
        }

        /// <summary>
        /// Checks <paramref name="packed"/> against <paramref name="profile"/>: prints the budget use on
        /// <paramref name="o"/>; when it does not fit, writes the error (peak operator, live tensors, what would
        /// help) on <paramref name="err"/> and returns false.
        /// </summary>
        public static bool Check(PackResult packed, HardwareProfile profile, TextWriter o, TextWriter err)
        {
            var report = FitCheck.Check(profile, packed, Shipped());
            o.Write(Budget(report));
            if (report.Fits) return true;
            err.Write(NotFit(report, packed.Graph.SourceName));
            return false;
        }

        static string B(long v) => v.ToString("N0", Inv) + " B";

        static string Pct(long used, long budget) => FitReport.Percent(used, budget).ToString("F1", Inv) + "%";

        /// <summary>Flash and RAM use against the budgets, one line each.</summary>
        public static string Budget(FitReport r)
        {
            var p = r.Profile;
            var sb = new StringBuilder();
            sb.AppendLine($"profile {p.Id} ({p.Name}; {p.Core}, {p.Runtime}, {p.KernelTier} kernels): {(r.Fits ? "fits" : "DOES NOT FIT")}");
            sb.AppendLine($"  flash: blob {B(r.BlobBytes)} of {B(r.FlashBudgetBytes)} budget ({Pct(r.BlobBytes, r.FlashBudgetBytes)}){(r.FlashFits ? "" : " — over")}");
            string state = $"state {B(r.StateBytes)} ({B(r.HostStateBytes)} on 64-bit .NET x {p.StateOverheadFactor.ToString("0.##", Inv)})";
            string blob = p.BlobInRam ? $" + blob {B(r.BlobRamBytes)} (held in RAM)" : "";
            string scratch = r.ScratchBytes > 0 ? $" (kernel scratch inside: up to {B(r.ScratchBytes)})" : "";
            sb.AppendLine($"  RAM:   arena {B(r.ArenaBytes)}{scratch} + {state}{blob} = {B(r.RamBytes)} "
                + $"of {B(r.RamBudgetBytes)} budget ({Pct(r.RamBytes, r.RamBudgetBytes)}){(r.RamFits ? "" : " — over")}");
            return sb.ToString();
        }

        /// <summary>The error for a model that does not fit: what is over, the peak operator and its live tensors, what would help.</summary>
        public static string NotFit(FitReport r, string model)
        {
            var p = r.Profile;
            var sb = new StringBuilder();
            var over = new List<string>();
            if (!r.FlashFits) over.Add($"flash {B(r.BlobBytes)} > budget {B(r.FlashBudgetBytes)}");
            if (!r.RamFits) over.Add($"RAM {B(r.RamBytes)} > budget {B(r.RamBudgetBytes)}");
            sb.AppendLine($"mote pack: error: {model} does not fit profile {p.Id}: {string.Join(", ", over)}; no blob written");
            if (r.Peak != null)
            {
                sb.AppendLine($"  peak: operator {r.Peak.SourceIndex} {r.Peak.OpName} (step {r.Peak.Operator}), {B(r.Peak.LiveBytes)} of the {B(r.ArenaBytes)} arena live:");
                if (r.Peak.ScratchBytes > 0) sb.AppendLine($"    kernel scratch of operator {r.Peak.SourceIndex} {B(r.Peak.ScratchBytes)}");
                foreach (var t in r.Peak.Tensors)
                {
                    string role = t.IsModelInput ? "model input" : t.Producer >= 0 ? $"written by operator {t.ProducerSourceIndex}" : "";
                    if (t.IsModelOutput) role += (role.Length > 0 ? ", " : "") + "model output";
                    sb.AppendLine($"    tensor {t.SourceIndex} '{t.Name}' {DataType.Name(t.DataType)}{t.ShapeText} {B(t.Bytes)} at arena offset {t.ArenaOffset}{(role.Length > 0 ? " (" + role + ")" : "")}");
                }
            }
            sb.AppendLine("  what would help:");
            foreach (var s in r.Suggestions) sb.AppendLine("    - " + s);
            return sb.ToString();
        }
    }
}
