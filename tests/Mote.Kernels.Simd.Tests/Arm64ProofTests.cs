using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace Mote.Kernels.Simd.Tests
{
    /// <summary>
    /// The ARM64 leg (tools/arm64-check): crossgen2 arm64 code for Pi 5 and Pi 4 targets, NEON
    /// instructions asserted in the leaf listings, and the leaves executed under qemu-aarch64
    /// (cortex-a76 / cortex-a72) against a scalar oracle. Skips with the missing tool named when
    /// crossgen2/qemu/the cross compiler are absent; under CI=true that is a failure.
    /// </summary>
    public class Arm64ProofTests
    {
        static string RepoRoot()
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Runtime.sln"))) return d.FullName;
            throw new InvalidOperationException("Runtime.sln not found above " + AppContext.BaseDirectory);
        }

        [SkippableFact]
        public void Arm64Check_CrossgenListingsAndQemuExecution_AllPass()
        {
            string script = Path.Combine(RepoRoot(), "tools", "arm64-check", "arm64-check");
            var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(script);
            using var p = Process.Start(psi);
            var stderr = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            output += stderr.Result;
            if (p.ExitCode == 77)
            {
                Assert.False(Environment.GetEnvironmentVariable("CI") == "true", "CI=true but the ARM64 leg cannot run: " + output);
                Skip.If(true, output.Trim());
            }
            Assert.True(p.ExitCode == 0, $"tools/arm64-check exited {p.ExitCode}:\n{output}");
            Assert.Matches(@"arm64-check: [1-9][0-9]* passed, 0 failed", output);
        }
    }
}
