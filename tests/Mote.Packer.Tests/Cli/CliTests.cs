using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Mote.Packer.Tests.Models;
using Mote.Tests.Common;
using Xunit;

namespace Mote.Packer.Tests.Cli
{
    /// <summary>The `mote` commands end to end, in process (same code the tools/mote wrapper runs).</summary>
    public class CliTests : IDisposable
    {
        readonly string dir = Directory.CreateTempSubdirectory("mote-cli-").FullName;

        public void Dispose() => Directory.Delete(dir, true);

        static (int code, string stdout, string stderr) Mote(params string[] args)
        {
            var o = new StringWriter();
            var e = new StringWriter();
            int code = global::Mote.Cli.Cli.Run(args, o, e);
            return (code, o.ToString(), e.ToString());
        }

        string PackShared(string model)
        {
            string blob = Path.Combine(dir, model + ".mote");
            var (code, stdout, stderr) = Mote("pack", SharedModels.ModelPath(model), "-o", blob);
            Assert.True(code == 0, stderr);
            Assert.Contains("wrote " + blob, stdout);
            return blob;
        }

        [SkippableFact]
        public void Pack_Model_PrintsPerLayerTable()
        {
            string blob = Path.Combine(dir, "m.mote");
            var (code, stdout, _) = Mote("pack", SharedModels.ModelPath("mlperf_kws_dscnn"), "-o", blob);
            Assert.Equal(0, code);
            Assert.Contains("DEPTHWISE_CONV_2D", stdout);
            Assert.Contains("MACs", stdout);
            // Total MACs agree with TFLM's meta.json (2,656,768 for this model).
            Assert.Contains("total: 2,656,768 MACs", stdout);
        }

        [SkippableFact]
        public void Run_WithOutputAndLayers_WritesTflmNamedFilesMatchingVectors()
        {
            string blob = PackShared("micro_speech");
            string vec = SharedModels.VectorDir("micro_speech");
            string outFile = Path.Combine(dir, "out.bin");
            string layers = Path.Combine(dir, "layers");
            var (code, _, stderr) = Mote("run", blob, "--input", Path.Combine(vec, "input_0.bin"), "--output", outFile, "--layers", layers);
            Assert.True(code == 0, stderr);
            Assert.Equal(File.ReadAllBytes(Path.Combine(vec, "output_0.bin")), File.ReadAllBytes(outFile));
            foreach (var expected in Directory.GetFiles(Path.Combine(vec, "layers_0")))
                Assert.Equal(File.ReadAllBytes(expected), File.ReadAllBytes(Path.Combine(layers, Path.GetFileName(expected))));
        }

        [SkippableFact]
        public void Bench_Json_HasRequiredFieldsAndZeroAllocation()
        {
            string blob = PackShared("hello_world_int8");
            var (code, stdout, stderr) = Mote("bench", blob, "--iterations", "50", "--warmup", "5", "--warmup-ms", "200", "--json");
            Assert.True(code == 0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            var r = doc.RootElement;
            foreach (var key in new[] { "median_us", "p90_us", "iterations", "allocated_bytes_per_invoke", "arena_bytes", "blob_bytes", "weights_bytes", "state_bytes" })
                Assert.True(r.TryGetProperty(key, out _), "missing " + key);
            Assert.Equal(50, r.GetProperty("iterations").GetInt32());
            Assert.Equal(0, r.GetProperty("allocated_bytes_per_invoke").GetDouble());
            Assert.Equal(new FileInfo(blob).Length, r.GetProperty("blob_bytes").GetInt64());
            Assert.True(r.GetProperty("p90_us").GetDouble() >= r.GetProperty("median_us").GetDouble());
            // hello_world invokes in microseconds: 200 ms of warm-up is far more than the 5 invocations asked for.
            Assert.True(r.GetProperty("warmup_iterations").GetInt32() > 100, stdout);
        }

        [SkippableFact]
        public void Inspect_Json_ListsOpsWithShapesAndArena()
        {
            string blob = PackShared("simple_add");
            var (code, stdout, _) = Mote("inspect", blob, "--json");
            Assert.Equal(0, code);
            using var doc = JsonDocument.Parse(stdout);
            var r = doc.RootElement;
            Assert.True(r.GetProperty("arena_bytes").GetInt32() >= 3 * 16384);
            var op = r.GetProperty("operators")[0];
            Assert.Equal("ADD", op.GetProperty("type").GetString());
            Assert.Equal(new[] { 1, 128, 128, 1 }, JsonSerializer.Deserialize<int[]>(op.GetProperty("output_shape").GetRawText()));
            Assert.Equal(3, r.GetProperty("tensors").GetArrayLength());
        }

        [SkippableFact]
        public void Inspect_StatefulModel_MarksItsVariableTensors()
        {
            // mnist_lstm_int8: one LSTM whose hidden and cell states are TFLite variable tensors.
            string blob = PackShared("mnist_lstm_int8");
            var (code, stdout, _) = Mote("inspect", blob, "--json");
            Assert.Equal(0, code);
            using var doc = JsonDocument.Parse(stdout);
            var variables = doc.RootElement.GetProperty("tensors").EnumerateArray()
                .Where(t => t.TryGetProperty("variable", out var v) && v.GetBoolean()).Select(t => t.GetProperty("dtype").GetString()).OrderBy(d => d).ToList();
            Assert.Equal(new[] { "int16", "int8" }, variables); // cell state int16, hidden state int8
            var (code2, text, _) = Mote("inspect", blob);
            Assert.Equal(0, code2);
            Assert.Equal(2, text.Split('\n').Count(l => l.Contains(" state ")));
        }

        [Fact]
        public void Inspect_CorruptedBlob_ExitsOneNamingTheProblem()
        {
            string blob = Path.Combine(dir, "bad.mote");
            var bytes = global::Mote.Packer.Packer.Finish(Blob.TestGraphs.AllOps(), 0).Blob;
            bytes[bytes.Length - 3] ^= 1;
            File.WriteAllBytes(blob, bytes);
            var (code, _, stderr) = Mote("inspect", blob);
            Assert.Equal(1, code);
            Assert.Contains("bad.mote", stderr);
            Assert.Contains("CRC-32 mismatch", stderr);
        }

        [SkippableFact]
        public void Run_WrongInputSize_ExplainsWhatTheModelNeeds()
        {
            string blob = PackShared("simple_add");
            string input = Path.Combine(dir, "short.bin");
            File.WriteAllBytes(input, new byte[100]);
            var (code, _, stderr) = Mote("run", blob, "--input", input);
            Assert.Equal(1, code);
            Assert.Contains("has 100 bytes, the model's inputs need 32768", stderr);
        }

        [Fact]
        public void Cli_UsageErrors_ExitTwo()
        {
            Assert.Equal(2, Mote().code);
            Assert.Equal(2, Mote("frobnicate").code);
            Assert.Equal(2, Mote("pack").code);
            Assert.Equal(2, Mote("run", "x.mote").code);
            var (code, _, stderr) = Mote("bench", "x.mote", "--iterations", "zero");
            Assert.Equal(2, code);
            Assert.Contains("--iterations expects a whole number", stderr);
            Assert.Equal(2, Mote("inspect", "x.mote", "--layers", "d").code);
        }

        [Fact]
        public void Help_ListsEveryCommandWithAnExample()
        {
            var (code, stdout, _) = Mote("--help");
            Assert.Equal(0, code);
            foreach (var c in new[] { "mote pack", "mote inspect", "mote run", "mote bench", "Examples:", "Exit codes" })
                Assert.Contains(c, stdout);
        }
    }
}
