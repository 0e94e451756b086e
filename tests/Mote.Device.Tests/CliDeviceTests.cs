using System;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading;
using Mote.Cli;
using Mote.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace Mote.Device.Tests
{
    /// <summary>The commands as a user runs them: mote board on a new pty, then monitor, deploy and validate against it.</summary>
    public class CliDeviceTests : IClassFixture<EcgFixture>
    {
        readonly EcgFixture ecg;
        readonly ITestOutputHelper output;
        public CliDeviceTests(EcgFixture ecg, ITestOutputHelper output) { this.ecg = ecg; this.output = output; }

        sealed class SyncWriter : StringWriter
        {
            public override void Write(char value) { lock (this) base.Write(value); }
            public override void Write(string value) { lock (this) base.Write(value); }
            public override void WriteLine(string value) { lock (this) base.WriteLine(value); }
            public override string ToString() { lock (this) return base.ToString(); }
        }

        [SkippableFact]
        public void Board_Monitor_Deploy_Validate_FromTheCommandLine()
        {
            string dir = Path.Combine(Path.GetTempPath(), "mote-cli-device-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            string blob1 = Path.Combine(dir, "ecg1.mote");
            File.WriteAllBytes(blob1, ecg.Blob);
            var boardOut = new SyncWriter();
            var boardErr = new SyncWriter();
            int boardRc = -1;
            var t = new Thread(() =>
            {
                try { boardRc = Mote.Cli.Cli.Run(new[] { "board", "--model", blob1, "--speed", "20", "--seconds", "15" }, boardOut, boardErr); }
                catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException || e is System.ComponentModel.Win32Exception) { boardErr.WriteLine("pty: " + e.Message); }
            }) { IsBackground = true };
            t.Start();
            string port = null;
            for (int i = 0; i < 200 && port == null; i++)
            {
                var m = Regex.Match(boardOut.ToString(), @"--port (\S+)");
                if (m.Success) port = m.Groups[1].Value; else Thread.Sleep(50);
                if (!t.IsAlive) break;
            }
            if (port == null)
            {
                if (SharedData.IsCi) Assert.Fail("the virtual board did not start: " + boardErr);
                Skip.If(true, "pseudo-terminals unavailable: " + boardErr);
            }

            var o = new StringWriter(); var e = new StringWriter();
            Assert.Equal(0, Mote.Cli.Cli.Run(new[] { "monitor", "--port", port, "--count", "3", "--json" }, o, e));
            output.WriteLine(o.ToString());
            Assert.Equal(3, Regex.Matches(o.ToString(), "\"type\":\"result\"").Count);

            string blob2 = Path.Combine(dir, "ecg2.mote");
            o = new StringWriter(); e = new StringWriter();
            Assert.Equal(0, Mote.Cli.Cli.Run(new[] { "pack", Path.Combine(EcgFixture.Dir, "ecg.onnx"), "--calibration", Path.Combine(EcgFixture.Dir, "calibration.npy"), "--method", "minmax", "-o", blob2 }, o, e));
            o = new StringWriter(); e = new StringWriter();
            Assert.Equal(0, Mote.Cli.Cli.Run(new[] { "deploy", "--port", port, blob2 }, o, e));
            output.WriteLine(o.ToString());
            Assert.Contains("generation 2", o.ToString());

            o = new StringWriter(); e = new StringWriter();
            int rc = Mote.Cli.Cli.Run(new[] { "validate", "--port", port, blob2, "--data", EcgFixture.Dir, "--count", "40" }, o, e);
            output.WriteLine(o.ToString() + e);
            Assert.Equal(0, rc);
            Assert.Contains("40 device results equal the host run", o.ToString());
            t.Join(30000);
            Assert.Equal(0, boardRc);
            Assert.Contains("switched to slot 1 generation 2", boardOut.ToString());
            Directory.Delete(dir, true);
        }
    }
}
