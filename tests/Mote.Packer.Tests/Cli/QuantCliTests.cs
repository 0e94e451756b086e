using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Mote.Packer.Data;
using Mote.Tests.Common;
using Xunit;

namespace Mote.Packer.Tests.Cli
{
    /// <summary>pack of ONNX models, eval and demo through the command line, in process.</summary>
    public class QuantCliTests : IDisposable
    {
        readonly string dir = Directory.CreateTempSubdirectory("mote-qcli-").FullName;

        public void Dispose() => Directory.Delete(dir, true);

        static string Sample(string name, string file) => Path.Combine(SharedData.RepoRoot, "tools", "samples", name, file);

        static (int code, string stdout, string stderr) Mote(params string[] args)
        {
            var o = new StringWriter();
            var e = new StringWriter();
            int code = global::Mote.Cli.Cli.Run(args, o, e);
            return (code, o.ToString(), e.ToString());
        }

        [Fact]
        public void PackOnnx_WithCalibration_PrintsRangesAndSqnr_AndWritesBlobAndReport()
        {
            string blob = Path.Combine(dir, "digits.mote"), html = Path.Combine(dir, "r.html");
            var (code, stdout, stderr) = Mote("pack", Sample("digits", "digits.onnx"), "--calibration", Sample("digits", "calibration.npy"), "-o", blob, "--report", html);
            Assert.True(code == 0, stderr);
            Assert.Contains("chosen by", stdout);
            Assert.Contains("SQNR dB", stdout);
            Assert.Contains("200 calibration samples", stdout);
            Assert.Contains("wrote " + blob, stdout);
            Assert.True(global::Mote.Runtime.Model.Load(File.ReadAllBytes(blob)).OperatorCount > 0);
            string page = File.ReadAllText(html);
            Assert.Contains("<svg", page);
            Assert.Contains("/Relu_output_0", page);
        }

        [Fact]
        public void PackOnnx_WithoutCalibration_SaysWhatIsMissing()
        {
            var (code, _, stderr) = Mote("pack", Sample("digits", "digits.onnx"), "-o", Path.Combine(dir, "x.mote"));
            Assert.Equal(1, code);
            Assert.Contains("--calibration", stderr);
        }

        [Fact]
        public void PackOnnx_QdqModel_NeedsNoCalibration()
        {
            var (code, stdout, stderr) = Mote("pack", Sample("digits", "digits_qdq.onnx"), "-o", Path.Combine(dir, "q.mote"), "--quiet");
            Assert.True(code == 0, stderr);
            Assert.Contains("QDQ scales kept", stdout);
        }

        [Fact]
        public void PackOnnx_CalibrationOfTheWrongShape_NamesTheFile()
        {
            string bad = Path.Combine(dir, "bad.npy");
            File.WriteAllBytes(bad, Npy.Write(new float[30], 3, 10));
            var (code, _, stderr) = Mote("pack", Sample("digits", "digits.onnx"), "--calibration", bad, "-o", Path.Combine(dir, "x.mote"));
            Assert.Equal(1, code);
            Assert.Contains("bad.npy", stderr);
            Assert.Contains("[3,10]", stderr);
        }

        [Fact]
        public void PackOnnx_TruncatedModel_IsAnOnnxFormatError()
        {
            string bad = Path.Combine(dir, "cut.onnx");
            var bytes = File.ReadAllBytes(Sample("digits", "digits.onnx"));
            File.WriteAllBytes(bad, bytes.Take(bytes.Length / 2).ToArray());
            var (code, _, stderr) = Mote("pack", bad, "--calibration", Sample("digits", "calibration.npy"));
            Assert.Equal(1, code);
            Assert.Contains("cut.onnx", stderr);
        }

        [Theory]
        [InlineData("--method", "fancy")]
        [InlineData("--percentile", "20")]
        [InlineData("--range", "nothing")]
        public void BadQuantizationOptions_AreUsageErrors(string option, string value)
        {
            var (code, _, stderr) = Mote("pack", Sample("digits", "digits.onnx"), "--calibration", Sample("digits", "calibration.npy"), option, value);
            Assert.Equal(2, code);
            Assert.Contains(option, stderr);
        }

        [Theory]
        [InlineData("--activations", "int4")]
        [InlineData("--io", "float")]
        public void BadActivationOptions_AreUsageErrorsListingTheChoices(string option, string value)
        {
            var (code, _, stderr) = Mote("pack", Sample("digits", "digits.onnx"), "--calibration", Sample("digits", "calibration.npy"), option, value);
            Assert.Equal(2, code);
            Assert.Contains(option, stderr);
            Assert.Contains("int16", stderr);
        }

        [Fact]
        public void Help_DescribesActivationsAndIo()
        {
            var (code, stdout, _) = Mote("--help");
            Assert.Equal(0, code);
            Assert.Contains("--activations int8|int16|auto", stdout);
            Assert.Contains("16x8", stdout);
            Assert.Contains("--io int8|int16", stdout);
        }

        /// <summary>
        /// --activations int16: the blob holds int16 activations behind an int8 interface (QUANTIZE at
        /// both ends); with --io int16 the interface is int16 too. The summary lists the int16 tensors.
        /// </summary>
        [Fact]
        public void PackOnnx_Int16Activations_WritesA16x8BlobWithTheRequestedInterface()
        {
            string blob8 = Path.Combine(dir, "d8io.mote"), blob16 = Path.Combine(dir, "d16io.mote");
            var (code, stdout, stderr) = Mote("pack", Sample("digits", "digits.onnx"), "--calibration", Sample("digits", "calibration.npy"),
                "--activations", "int16", "-o", blob8);
            Assert.True(code == 0, stderr);
            Assert.Contains("int16 activations: input, /Relu_output_0", stdout);
            Assert.Contains("int16 min-max", stdout);
            var m = global::Mote.Runtime.Model.Load(File.ReadAllBytes(blob8));
            Assert.Equal(global::Mote.Runtime.Format.DataType.Int8, m.GetTensor(m.GetInputTensorIndex(0)).DataType);
            Assert.Equal(global::Mote.Runtime.Format.DataType.Int8, m.GetTensor(m.GetOutputTensorIndex(0)).DataType);
            var names = Enumerable.Range(0, m.OperatorCount).Select(i => m.GetOperator(i).Name).ToList();
            Assert.Equal("QUANTIZE", names.First());
            Assert.Equal("QUANTIZE", names.Last());
            var fc = Enumerable.Range(0, m.OperatorCount).Single(i => m.GetOperator(i).Name == "FULLY_CONNECTED");
            Assert.Equal(global::Mote.Runtime.Format.DataType.Int16, m.GetTensor(m.GetOperator(fc).Outputs[0]).DataType);

            (code, _, stderr) = Mote("pack", Sample("digits", "digits.onnx"), "--calibration", Sample("digits", "calibration.npy"),
                "--activations", "int16", "--io", "int16", "-o", blob16, "--quiet");
            Assert.True(code == 0, stderr);
            var m16 = global::Mote.Runtime.Model.Load(File.ReadAllBytes(blob16));
            Assert.Equal(global::Mote.Runtime.Format.DataType.Int16, m16.GetTensor(m16.GetInputTensorIndex(0)).DataType);
            Assert.Equal(global::Mote.Runtime.Format.DataType.Int16, m16.GetTensor(m16.GetOutputTensorIndex(0)).DataType);
            Assert.DoesNotContain("QUANTIZE", Enumerable.Range(0, m16.OperatorCount).Select(i => m16.GetOperator(i).Name));
        }

        [Fact]
        public void Eval_AutoActivations_ReportsTheMeasuredInt16Search()
        {
            string html = Path.Combine(dir, "auto.html");
            var (code, stdout, stderr) = Mote("eval", Path.Combine(SharedData.RepoRoot, "tools", "samples", "digits"), "--activations", "auto", "--report", html);
            Assert.True(code == 0, stderr);
            var line = stdout.Split('\n').Single(l => l.StartsWith("int16 search:"));
            Assert.Contains("output SQNR", line);
            Assert.Contains(" dB", line);
            string page = File.ReadAllText(html);
            Assert.Contains("<h2>int16 search</h2>", page);
            Assert.Contains("/Relu_1_output_0", page.Substring(page.IndexOf("<h2>int16 search</h2>", StringComparison.Ordinal)));

            (code, stdout, stderr) = Mote("eval", Path.Combine(SharedData.RepoRoot, "tools", "samples", "digits"), "--activations", "int16", "--json");
            Assert.True(code == 0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            Assert.All(doc.RootElement.GetProperty("layers").EnumerateArray(), l => Assert.Equal("int16", l.GetProperty("dtype").GetString()));
            Assert.Equal(0, doc.RootElement.GetProperty("int16_search").GetArrayLength()); // no search in int16 mode
        }

        [Fact]
        public void RangeOverride_ForAnUnknownTensor_ListsTheActivations()
        {
            var (code, _, stderr) = Mote("pack", Sample("digits", "digits.onnx"), "--calibration", Sample("digits", "calibration.npy"), "--range", "nope=mse", "-o", Path.Combine(dir, "x.mote"));
            Assert.Equal(1, code);
            Assert.Contains("'nope'", stderr);
            Assert.Contains("/Relu_output_0", stderr);
        }

        [Fact]
        public void RangeOverride_IsReportedAsTheChosenMethod()
        {
            var (code, stdout, stderr) = Mote("pack", Sample("digits", "digits.onnx"), "--calibration", Sample("digits", "calibration.npy"),
                "--method", "minmax", "--range", "logits=mse", "-o", Path.Combine(dir, "x.mote"));
            Assert.True(code == 0, stderr);
            var line = stdout.Split('\n').Single(l => l.Contains("FULLY_CONNECTED") && l.Contains("logits") && l.Contains("["));
            Assert.Contains("mse", line);
            Assert.Contains("min-max", stdout.Split('\n').First(l => l.Contains("/Relu_output_0") && l.Contains("[")));
        }

        [Fact]
        public void Eval_SampleDirectory_Json_HasMetricsAndLayers()
        {
            var (code, stdout, stderr) = Mote("eval", Path.Combine(SharedData.RepoRoot, "tools", "samples", "ecg"), "--json");
            Assert.True(code == 0, stderr);
            var j = JsonDocument.Parse(stdout.Trim().Split('\n').Last()).RootElement;
            Assert.Equal("f1", j.GetProperty("metric").GetString());
            Assert.InRange(j.GetProperty("float_metric").GetDouble(), 0.9, 1.0);
            Assert.InRange(j.GetProperty("int8_metric").GetDouble(), 0.9, 1.0);
            Assert.True(j.GetProperty("layers").GetArrayLength() > 3);
        }

        [Fact]
        public void Demo_Json_EndsWithOneObjectPerSample()
        {
            string outDir = Path.Combine(dir, "demo");
            var (code, stdout, stderr) = Mote("demo", "--json", "-o", outDir, "--iterations", "20");
            Assert.True(code == 0, stderr + stdout);
            var lines = stdout.Trim().Split('\n');
            var objects = lines.Skip(lines.Length - 2).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(new[] { "digits", "ecg" }, objects.Select(o => o.GetProperty("model").GetString()));
            foreach (var o in objects)
            {
                foreach (var key in new[] { "float_metric", "int8_metric", "blob_bytes", "arena_bytes", "median_us" })
                    Assert.True(o.GetProperty(key).GetDouble() > 0, key);
                Assert.True(o.GetProperty("metric").GetString().Length > 0);
                Assert.True(File.Exists(Path.Combine(outDir, o.GetProperty("model").GetString() + ".mote")));
            }
            Assert.Contains("float check: training framework measured", stdout);
        }
    }
}
