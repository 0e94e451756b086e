using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using Mote.Board;
using Mote.Device.Protocol;
using Mote.Device.Storage;
using Mote.Packer.Data;
using Mote.Packer.Quantization;
using Mote.Runtime;

namespace Mote.Cli
{
    /// <summary>mote board / monitor / deploy: the device link from the host (docs/devices.md, docs/serial-protocol.md).</summary>
    public static class DeviceCommands
    {
        static string SamplesDir()
        {
            foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
                for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                {
                    string p = Path.Combine(d.FullName, "tools", "samples", "ecg");
                    if (File.Exists(Path.Combine(p, "ecg_stream.npy"))) return p;
                }
            throw new UsageException("cannot find tools/samples/ecg; run from the repository or pass --replay <stream.npy> and --model <blob>");
        }

        /// <summary>mote board [--port tty] [--model blob] [--replay ecg|file.npy] [--speed N] [--flash file] [--seconds N]</summary>
        public static int Board(Args a, TextWriter o, TextWriter err)
        {
            string port = a.Get("--port"), modelPath = a.Get("--model"), replay = a.Get("--replay") ?? "ecg", flashPath = a.Get("--flash");
            string speedText = a.Get("--speed");
            double speed = 1;
            if (speedText != null && (!double.TryParse(speedText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out speed) || speed < 0))
                throw new UsageException($"--speed expects a number >= 0 (0: as fast as possible), got '{speedText}'");
            int seconds = a.GetInt("--seconds", 0, 0);
            a.NoMorePositionals(0);
            a.RejectUnused();

            string streamPath = replay == "ecg" ? Path.Combine(SamplesDir(), "ecg_stream.npy") : replay;
            float[] stream = Npy.Load(streamPath).AsFloats();
            byte[] blob = null;
            if (modelPath != null) { blob = File.ReadAllBytes(modelPath); Model.Load(blob); }
            IFlash flash = flashPath != null ? new FileFlash(flashPath, 256 * 1024) : new RamFlash(256 * 1024);
            if (blob == null && new ModelStore(flash).Boot() < 0)
            {
                err.WriteLine("board: no --model and an empty store: packing the ecg sample (tools/samples/ecg)...");
                string dir = SamplesDir();
                var g = Mote.Packer.Packer.ImportOnnx(Path.Combine(dir, "ecg.onnx"));
                blob = Mote.Packer.Packer.PackOnnx(g, SampleLoader.Load(g, Path.Combine(dir, "calibration.npy")), new QuantizeOptions(), 0).Pack.Blob;
            }

            TtyLink link;
            if (port != null) link = TtyLink.Open(port);
            else
            {
                link = TtyLink.OpenPty(out string slave, out int slaveFd);
                o.WriteLine($"virtual board: connect with  mote monitor --port {slave}");
                // Keep the slave open ourselves so the pty survives host tools coming and going.
                GC.KeepAlive(slaveFd);
            }
            link.DropWhenFull = true;
            using (link)
            {
                var board = new VirtualBoard(link, flash, blob, stream, speed, o);
                o.WriteLine($"virtual board: model slot {board.Store.ActiveSlot} generation {board.Store.ActiveGeneration}, replaying {Path.GetFileName(streamPath)} at {(speed == 0 ? "full speed" : speed + "x")}");
                board.Device.ModelSwapped += (_, _) => o.WriteLine($"virtual board: switched to slot {board.Store.ActiveSlot} generation {board.Store.ActiveGeneration}");
                var stop = new CancellationTokenSource();
                if (seconds > 0) stop.CancelAfter(TimeSpan.FromSeconds(seconds));
                Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
                board.Run(stop.Token);
                o.WriteLine($"virtual board: {board.Pipeline.WindowsClassified} windows classified, LED changes {board.Led.Changes}");
            }
            return 0;
        }

        /// <summary>mote monitor --port tty [--count N] [--json]</summary>
        public static int Monitor(Args a, TextWriter o, TextWriter err)
        {
            string port = a.Get("--port") ?? PositionalOrNull(a);
            if (port == null) throw new UsageException("missing --port <tty>");
            int count = a.GetInt("--count", 0, 0);
            bool json = a.Has("--json");
            a.RejectUnused();
            int shown = 0;
            var sw = Stopwatch.StartNew();
            while (count == 0 || shown < count)
            {
                try
                {
                    using var link = TtyLink.Open(port);
                    var client = new HostClient(link);
                    var info = client.RequestInfo(1000);
                    if (info != null && !json) o.WriteLine(info.Describe());
                    while (count == 0 || shown < count)
                    {
                        var m = client.Receive(5000);
                        if (m == null) { if (!json) err.WriteLine("monitor: no data for 5 s"); continue; }
                        if (m.Type == MessageType.Result)
                        {
                            shown++;
                            double rate = shown / Math.Max(1e-3, sw.Elapsed.TotalSeconds);
                            if (json)
                                o.WriteLine(JsonSerializer.Serialize(new { type = "result", window = m.WindowSequence, start = m.WindowStart, cls = m.Class, stable = m.Stable, score = m.Score, margin = m.Margin, invoke_us = m.InvokeMicros }));
                            else o.WriteLine($"{m.Describe()}  ({rate:F1}/s)");
                        }
                        else if (!json) o.WriteLine(m.Describe());
                    }
                }
                catch (IOException e) { err.WriteLine($"monitor: {e.Message}; reconnecting"); Thread.Sleep(500); }
                catch (System.ComponentModel.Win32Exception e) { err.WriteLine($"monitor: {e.Message}; reconnecting"); Thread.Sleep(500); }
            }
            return 0;
        }

        static string PositionalOrNull(Args a) { try { return a.Positional(0, "port"); } catch (UsageException) { return null; } }

        /// <summary>mote deploy --port tty blob</summary>
        public static int Deploy(Args a, TextWriter o, TextWriter err)
        {
            string port = a.Get("--port");
            if (port == null) throw new UsageException("missing --port <tty>");
            string path = a.Positional(0, "<model.mote>");
            bool verbose = a.Has("--verbose");
            a.NoMorePositionals(1);
            a.RejectUnused();
            byte[] blob = File.ReadAllBytes(path);
            var model = Model.Load(blob);
            using var link = TtyLink.Open(port);
            var client = new HostClient(link);
            if (verbose) client.Trace = t => err.WriteLine("\ndeploy: " + t);
            int last = -1;
            int status = client.Deploy(blob, 512, (done, total) =>
            {
                int pct = (int)(100L * done / total);
                if (pct / 5 != last) { last = pct / 5; err.Write($"\rdeploy: [{new string('#', pct / 5)}{new string('.', 20 - pct / 5)}] {pct,3}% {done}/{total} bytes"); }
            });
            err.WriteLine();
            if (status != Status.Committed) { err.WriteLine($"deploy: the device refused the model (status {status})"); return 1; }
            var info = client.RequestInfo(2000);
            if (info == null || info.ModelCrc != model.Crc) { err.WriteLine("deploy: the device did not report the new model"); return 1; }
            o.WriteLine($"deploy: {Path.GetFileName(path)} active on the device: {info.Describe()}");
            return 0;
        }

        /// <summary>
        /// mote validate --port tty model.mote --data dir: streams the test windows of a sample
        /// directory (test_x.npy, optional test_y.npy) to the device as Window frames and compares
        /// every device result with the same blob run on the host (hardware-in-the-loop).
        /// </summary>
        public static int Validate(Args a, TextWriter o, TextWriter err)
        {
            string port = a.Get("--port");
            if (port == null) throw new UsageException("missing --port <tty>");
            string path = a.Positional(0, "<model.mote>");
            string data = a.Get("--data") ?? throw new UsageException("missing --data <dir> (a sample directory with test_x.npy)");
            int limit = a.GetInt("--count", 0, 0);
            bool json = a.Has("--json");
            a.NoMorePositionals(1);
            a.RejectUnused();
            byte[] blob = File.ReadAllBytes(path);
            var model = Model.Load(blob);
            var x = Npy.Load(Path.Combine(data, "test_x.npy"));
            string yPath = Path.Combine(data, "test_y.npy");
            long[] y = File.Exists(yPath) ? Npy.Load(yPath).AsInts(yPath) : null;
            float[] xs = x.AsFloats();
            var hostPipe = new Mote.Device.Pipeline.DevicePipeline(new Interpreter(model), new Mote.Device.Pipeline.ReplaySource(new float[1]),
                new Mote.Device.Pipeline.HopTrigger(1, 1), 1) { SubtractMean = true }; // as the virtual board configures its pipeline
            int size = hostPipe.WindowSize, n = xs.Length / size;
            if (limit > 0) n = Math.Min(n, limit);
            using var link = TtyLink.Open(port);
            var client = new HostClient(link);
            var info = client.RequestInfo(2000) ?? throw new IOException("the device does not answer InfoRequest");
            if (info.ModelCrc != model.Crc) err.WriteLine($"validate: warning: the device runs model {info.ModelCrc:x8}, {Path.GetFileName(path)} is {model.Crc:x8}");
            int agree = 0, correct = 0, devCorrect = 0, timeouts = 0;
            var w = new float[size];
            for (int k = 0; k < n; k++)
            {
                Array.Copy(xs, k * size, w, 0, size);
                int hostClass = hostPipe.ClassifyWindow(w, 0, k).Class;
                DeviceMessage r = null;
                for (int attempt = 0; attempt < 3 && r == null; attempt++)
                {
                    client.SendWindow(k, w);
                    var sw = Stopwatch.StartNew();
                    while (sw.ElapsedMilliseconds < 2000)
                    {
                        var m = client.WaitFor(MessageType.Result, 2000);
                        if (m != null && m.FromHost && m.WindowStart == k) { r = m; break; }
                    }
                }
                if (r == null) { timeouts++; continue; }
                if (r.Class == hostClass) agree++;
                else err.WriteLine($"validate: window {k}: device class {r.Class}, host {hostClass}");
                if (y != null) { if (hostClass == y[k]) correct++; if (r.Class == y[k]) devCorrect++; }
            }
            if (json)
                o.WriteLine(JsonSerializer.Serialize(new { windows = n, agree, mismatches = n - agree - timeouts, timeouts, device_accuracy = y != null ? devCorrect / (double)n : (double?)null, host_accuracy = y != null ? correct / (double)n : (double?)null }));
            else
                o.WriteLine($"validate: {n} windows, {agree} device results equal the host run, {n - agree - timeouts} mismatches, {timeouts} timeouts"
                    + (y != null ? $"; accuracy device {devCorrect / (double)n:P2}, host {correct / (double)n:P2}" : ""));
            return agree == n ? 0 : 1;
        }
    }
}
