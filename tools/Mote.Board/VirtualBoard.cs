using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using Mote.Device.Pipeline;
using Mote.Device.Protocol;
using Mote.Device.Storage;
using Mote.Runtime;

namespace Mote.Board
{
    /// <summary>A GPIO pin that prints its changes.</summary>
    public sealed class LoggingPin : IOutputPin
    {
        readonly TextWriter log; readonly string name; bool state;
        public int Changes;
        public LoggingPin(TextWriter log, string name) { this.log = log; this.name = name; }
        public void Write(bool high)
        {
            if (high == state) return;
            state = high; Changes++;
            log?.WriteLine($"gpio {name} {(high ? "HIGH" : "low")}");
        }
    }

    public sealed class StopwatchClock : IClock
    {
        readonly Stopwatch sw = Stopwatch.StartNew();
        public long Micros() => sw.ElapsedTicks * 1_000_000 / Stopwatch.Frequency;
    }

    /// <summary>
    /// The device firmware's main loop on the host: boots the model store (a file or RAM flash),
    /// runs the ECG pipeline on a replay sensor, and serves the serial protocol on a link.
    /// </summary>
    public sealed class VirtualBoard
    {
        public readonly ModelStore Store;
        public readonly DevicePipeline Pipeline;
        public readonly DeviceLink Device;
        public readonly LoggingPin Led;

        /// <param name="initialBlob">Written to the store when it has no valid model.</param>
        /// <param name="speed">Replay speed (1 = real time at 360 Hz); 0 = as fast as possible.</param>
        public VirtualBoard(IByteLink link, IFlash flash, byte[] initialBlob, float[] stream, double speed, TextWriter log)
        {
            Store = new ModelStore(flash);
            if (Store.Boot() < 0)
            {
                if (initialBlob == null) throw new InvalidOperationException("the model store is empty: pass --model");
                uint crc = Mote.Runtime.Format.Crc32.Compute(initialBlob, 0, initialBlob.Length);
                Store.BeginUpload(initialBlob.Length, crc);
                Store.WriteChunk(0, initialBlob, 0, initialBlob.Length);
                if (Store.Commit() != Status.Ok) throw new InvalidOperationException("could not store the initial model");
            }
            var interpreter = new Interpreter(Model.Load(Store.ReadActive()));
            var clock = new StopwatchClock();
            var source = speed > 0 ? new ReplaySource(stream, clock, 360, speed) { Loop = true } : new ReplaySource(stream) { Loop = true };
            var trigger = new PeakTrigger(54, 0.5f, 90, 96, 256);
            Led = new LoggingPin(log, "led");
            Pipeline = new DevicePipeline(interpreter, source, trigger, trigger.RequiredCapacity) { SubtractMean = true, Led = Led, Clock = clock };
            Device = new DeviceLink(link, Pipeline, Store);
        }

        /// <summary>Runs until <paramref name="stop"/> is cancelled or the link closes.</summary>
        public void Run(CancellationToken stop)
        {
            Device.Log(1, "virtual board up: slot " + Store.ActiveSlot + " generation " + Store.ActiveGeneration);
            Device.SendInfo();
            while (!stop.IsCancellationRequested)
            {
                int w = Pipeline.Poll();
                if (!Device.Poll()) break;
                if (w == 0) Thread.Sleep(1);
            }
        }
    }

    /// <summary>Flash backed by a file (the virtual board's persistent store).</summary>
    public sealed class FileFlash : IFlash
    {
        readonly string path; readonly int size;
        public FileFlash(string path, int size)
        {
            this.path = path; this.size = size;
            if (!File.Exists(path) || new FileInfo(path).Length != size)
            {
                var b = new byte[size]; Array.Fill(b, (byte)0xFF); File.WriteAllBytes(path, b);
            }
        }
        public int Size => size;
        public void Read(int a, byte[] buf, int s, int c) { using var f = File.OpenRead(path); f.Position = a; f.ReadExactly(buf, s, c); }
        public void Write(int a, byte[] buf, int s, int c) { using var f = File.OpenWrite(path); f.Position = a; f.Write(buf, s, c); f.Flush(true); }
        public void Erase(int a, int c) { var b = new byte[c]; Array.Fill(b, (byte)0xFF); Write(a, b, 0, c); }
    }
}
