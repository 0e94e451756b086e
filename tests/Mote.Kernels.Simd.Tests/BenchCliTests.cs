using System.IO;
using System.Text.Json;
using Mote.Packer.Tests.Models;
using Xunit;

namespace Mote.Kernels.Simd.Tests
{
    /// <summary><c>mote bench --kernels ... --per-op</c>: the SIMD run reports its path, the reference ratio and one row per operator.</summary>
    public class BenchCliTests
    {
        static (int code, string stdout, string stderr) Mote(params string[] args)
        {
            var o = new StringWriter(); var e = new StringWriter();
            int code = global::Mote.Cli.Cli.Run(args, o, e);
            return (code, o.ToString(), e.ToString());
        }

        [SkippableFact]
        public void Bench_KernelsAutoPerOp_ReportsPathRatioAndEveryOperator()
        {
            Skip.IfNot(System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated, "no SIMD path in this process");
            var packed = SharedModels.Pack(SharedModels.ModelPath("mlperf_ad_autoencoder"));
            string path = Path.Combine(Path.GetTempPath(), $"mote-simd-bench-{System.Environment.ProcessId}.mote");
            File.WriteAllBytes(path, packed.Blob);
            try
            {
                var (code, stdout, stderr) = Mote("bench", path, "--iterations", "3", "--warmup", "1", "--warmup-ms", "300", "--kernels", "auto", "--per-op", "--json");
                Assert.True(code == 0, stderr);
                using var doc = JsonDocument.Parse(stdout);
                var root = doc.RootElement;
                Assert.StartsWith("simd-", root.GetProperty("kernels").GetString());
                Assert.True(root.GetProperty("speedup_vs_reference").GetDouble() > 0);
                Assert.Equal(0, root.GetProperty("allocated_bytes_per_invoke").GetDouble());
                Assert.Equal(root.GetProperty("operators").GetInt32(), root.GetProperty("per_op").GetArrayLength());
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void Bench_UnknownKernels_FailsNamingTheChoices()
        {
            var (code, _, stderr) = Mote("bench", "x.mote", "--kernels", "fast");
            Assert.NotEqual(0, code);
            Assert.Contains("reference, simd, auto", stderr);
        }
    }
}
