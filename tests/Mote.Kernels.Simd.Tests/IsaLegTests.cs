using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace Mote.Kernels.Simd.Tests
{
    /// <summary>
    /// Every x64 path gets a leg: the sweep re-runs in a child process with JIT switches, and the child
    /// first asserts the switch took effect (exit 3 otherwise, which fails the leg).
    /// </summary>
    public class IsaLegTests
    {
        static string CheckDll() =>
            Path.Combine(AppContext.BaseDirectory.Replace("Mote.Kernels.Simd.Tests", Path.Combine("Mote.Kernels.Simd.Tests", "check")), "Mote.Kernels.Simd.Check.dll");

        static (int code, string output) RunChild(string env, params string[] args)
        {
            string dll = CheckDll();
            Assert.True(File.Exists(dll), $"checker not built: {dll}");
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("exec"); psi.ArgumentList.Add(dll);
            foreach (var a in args) psi.ArgumentList.Add(a);
            foreach (var kv in env.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = kv.Split('=');
                psi.Environment[parts[0]] = parts[1];
            }
            psi.Environment["DOTNET_TieredCompilation"] = "0";
            using var p = Process.Start(psi);
            string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output);
        }

        [SkippableTheory]
        [InlineData("", "vector128", "any", "any", "any", "any")]
        [InlineData("DOTNET_EnableAVX512=0", "vector128", "any", "False", "any", "any")]
        [InlineData("DOTNET_EnableAVXVNNI=0", "vector128", "any", "any", "any", "False")] // AVX2 vpmaddwd leaf
        [InlineData("DOTNET_EnableAVX2=0", "vector128", "False", "False", "True", "False")]   // SSE4.1 pmaddwd leaf, per-lane shifts
        [InlineData("DOTNET_EnableSSE42=0", "vector128", "False", "False", "False", "False")] // portable Vector128 leaf and requantization (.NET 10: the SSE4.2 switch turns SSE4.1 off too)
        [InlineData("DOTNET_EnableHWIntrinsic=0", "reference", "False", "False", "False", "False")]
        public void ChildProcess_IsaSwitch_TakesEffectAndBitExact(string env, string path, string avx2, string avx512, string sse41, string avxvnni)
        {
            Skip.IfNot(System.Runtime.Intrinsics.X86.X86Base.IsSupported, "x64 legs need an x64 machine");
            var (code, output) = RunChild(env, path, avx2, avx512, sse41, avxvnni);
            Assert.True(code == 0, $"[{env}] exit {code}: {output}");
            Assert.Contains("ok ", output);
        }
    }
}
