using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Mote.Packer.Profiles;
using Mote.Packer.Tests.Models;
using Mote.Tests.Common;
using Xunit;

namespace Mote.Packer.Tests.Profiles
{
    /// <summary>`mote pack --profile` end to end, in process.</summary>
    public class FitCliTests : IDisposable
    {
        readonly string dir = Directory.CreateTempSubdirectory("mote-fit-").FullName;

        public void Dispose() => Directory.Delete(dir, true);

        static (int code, string stdout, string stderr) Mote(params string[] args)
        {
            var o = new StringWriter();
            var e = new StringWriter();
            int code = global::Mote.Cli.Cli.Run(args, o, e);
            return (code, o.ToString(), e.ToString());
        }

        /// <summary>person_detection (276 KB blob) does not fit the ESP32 without PSRAM: its blob alone is more than the 80 KiB budget.</summary>
        [SkippableFact]
        public void Pack_TooLargeForProfile_Exits1NamingPeakOpTensorsAndRemedies()
        {
            string model = SharedModels.ModelPath("person_detection");
            string blob = Path.Combine(dir, "pd.mote");
            var (code, stdout, stderr) = Mote("pack", model, "--profile", "esp32", "-o", blob, "--quiet");
            Assert.Equal(1, code);
            Assert.False(File.Exists(blob), "no blob is written for a model that does not fit");
            Assert.Contains("profile esp32 (", stdout);
            Assert.Contains("DOES NOT FIT", stdout);
            Assert.Contains("mote pack: error: person_detection.tflite does not fit profile esp32: RAM ", stderr);
            Assert.Contains("> budget 81,920 B; no blob written", stderr);

            // The peak operator and its live tensors, as the fit check computes them from the plan.
            var peak = FitCheck.FindPeak(SharedModels.Pack(model).Graph);
            Assert.Contains($"peak: operator {peak.SourceIndex} {peak.OpName} (step {peak.Operator}), {peak.LiveBytes:N0} B of the ", stderr);
            foreach (var t in peak.Tensors)
                Assert.Contains($"tensor {t.SourceIndex} '{t.Name}' int8{t.ShapeText} {t.Bytes:N0} B at arena offset {t.ArenaOffset}", stderr);
            Assert.Contains("what would help:", stderr);
            Assert.Contains("- a smaller input resolution: the input 'input' is int8[1,96,96,1]", stderr);
            Assert.Contains($"- fewer channels at operator ", stderr);
            Assert.Contains("is held in RAM on nanoframework-1.x (Model.Load reads a byte[]) and alone exceeds the RAM budget", stderr);
            Assert.Contains("- a board with more RAM: this one allows 81,920 B", stderr);
            Assert.Contains("it fits: esp32-s3, ", stderr);
        }

        [SkippableFact]
        public void Pack_FitsProfile_PrintsBudgetUseAndWritesBlob()
        {
            string blob = Path.Combine(dir, "pd.mote");
            var (code, stdout, stderr) = Mote("pack", SharedModels.ModelPath("person_detection"), "--profile", "esp32-s3", "-o", blob, "--quiet");
            Assert.True(code == 0, stderr);
            Assert.Equal("", stderr);
            Assert.True(File.Exists(blob));
            long blobBytes = new FileInfo(blob).Length;
            var p = ProfileLoader.LoadFile(Path.Combine(ProfileLoaderTests.Dir, "esp32-s3.json"));
            Assert.Contains("profile esp32-s3 (", stdout);
            Assert.Contains(": fits", stdout);
            string pct = (100.0 * blobBytes / p.FlashBudgetBytes).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains($"flash: blob {blobBytes:N0} B of {p.FlashBudgetBytes:N0} B budget ({pct}%)", stdout);
            Assert.Matches(@"RAM:   arena [\d,]+ B \+ state [\d,]+ B \([\d,]+ B on 64-bit \.NET x 3\) \+ blob [\d,]+ B \(held in RAM\) = [\d,]+ B of 6,291,456 B budget \(\d+\.\d%\)", stdout);
            Assert.Contains("wrote " + blob, stdout);
        }

        [SkippableFact]
        public void Pack_ProfileFileInTempDir_TinyBudgetFailsSmallModel()
        {
            // A test-only board with 1 KiB of RAM: hello_world's blob alone is bigger.
            var o = JsonNode.Parse(File.ReadAllText(Path.Combine(ProfileLoaderTests.Dir, "stm32f429i-disco.json"))).AsObject();
            o["id"] = "tiny-board";
            o["ram_budget_bytes"] = 1024;
            string profile = Path.Combine(dir, "tiny-board.json");
            File.WriteAllText(profile, o.ToJsonString());
            var (code, stdout, stderr) = Mote("pack", SharedModels.ModelPath("hello_world_int8"), "--profile", profile, "-o", Path.Combine(dir, "h.mote"), "--quiet");
            Assert.Equal(1, code);
            Assert.Contains("profile tiny-board (", stdout);
            Assert.Contains("does not fit profile tiny-board: RAM ", stderr);
            Assert.Contains("peak: operator ", stderr);
            Assert.Contains("FULLY_CONNECTED", stderr);
        }

        [Fact]
        public void Pack_OnnxSampleWithProfile_PrintsBudgetUse()
        {
            string samples = Path.Combine(SharedData.RepoRoot, "tools", "samples", "ecg");
            string blob = Path.Combine(dir, "ecg.mote");
            var (code, stdout, stderr) = Mote("pack", Path.Combine(samples, "ecg.onnx"), "--calibration", Path.Combine(samples, "calibration.npy"),
                "--method", "minmax", "--profile", "meadow-f7v2", "-o", blob, "--quiet");
            Assert.True(code == 0, stderr);
            Assert.Contains("profile meadow-f7v2 (", stdout);
            Assert.Contains("x 1) + blob ", stdout);
            Assert.True(File.Exists(blob));
        }

        [Fact]
        public void Pack_InvalidProfile_Exits1NamingFileAndField()
        {
            var o = JsonNode.Parse(File.ReadAllText(Path.Combine(ProfileLoaderTests.Dir, "esp32.json"))).AsObject();
            o.Remove("ram_budget_bytes");
            string profile = Path.Combine(dir, "esp32.json");
            File.WriteAllText(profile, o.ToJsonString());
            var (code, _, stderr) = Mote("pack", "whatever.tflite", "--profile", profile);
            Assert.Equal(1, code);
            Assert.Contains($"mote pack: error: {profile}: /ram_budget_bytes: required field 'ram_budget_bytes' is missing", stderr);
        }

        [Fact]
        public void Pack_UnknownProfileId_Exits1ListingIds()
        {
            var (code, _, stderr) = Mote("pack", "whatever.tflite", "--profile", "arduino-uno");
            Assert.Equal(1, code);
            Assert.Contains("arduino-uno: no such profile in ", stderr);
            Assert.Contains("raspberry-pi-5", stderr);
        }

        [Fact]
        public void Usage_MentionsProfile()
        {
            var (code, stdout, _) = Mote("--help");
            Assert.Equal(0, code);
            Assert.Contains("--profile <board.json|id>", stdout);
        }
    }
}
