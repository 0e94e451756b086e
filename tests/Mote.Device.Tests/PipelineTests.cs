using System;
using System.Collections.Generic;
using System.Linq;
using Mote.Device.Pipeline;
using Mote.Device.Protocol;
using Mote.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Mote.Device.Tests
{
    sealed class ListSink : IResultSink
    {
        public readonly List<(long Start, int Class, int Stable)> Items = new();
        public void OnResult(InferenceResult r) => Items.Add((r.WindowStart, r.Class, r.Stable));
    }

    sealed class CountingPin : IOutputPin
    {
        public int Changes; bool last;
        public void Write(bool high) { if (high != last) Changes++; last = high; }
    }

    sealed class NullLink : IByteLink
    {
        public long Written;
        public int Read(byte[] buffer, int start, int count) => 0;
        public void Write(byte[] buffer, int start, int count) => Written += count;
    }

    public class PipelineTests : IClassFixture<EcgFixture>
    {
        readonly EcgFixture ecg;
        readonly ITestOutputHelper output;

        public PipelineTests(EcgFixture ecg, ITestOutputHelper output) { this.ecg = ecg; this.output = output; }

        /// <summary>Independent offline oracle: same window, Math.Round(AwayFromZero), a fresh interpreter.</summary>
        int Offline(Interpreter it, long start, bool subtractMean)
        {
            var input = it.GetInput(0);
            var w = new float[EcgFixture.Size];
            Array.Copy(ecg.Stream, start, w, 0, w.Length);
            double mean = subtractMean ? w.Sum(v => (double)v) / w.Length : 0;
            for (int i = 0; i < w.Length; i++)
            {
                double q = Math.Round((w[i] - (float)mean) / (double)input.Info.Scale, MidpointRounding.AwayFromZero) + input.Info.ZeroPoint;
                input.SetInt8(i, (int)Math.Clamp(q, -128, 127));
            }
            it.Invoke();
            var o = it.GetOutput(0);
            int best = 0;
            for (int i = 1; i < o.Bytes; i++) if (o.GetInt8(i) > o.GetInt8(best)) best = i;
            return best;
        }

        [Fact]
        public void Quantize_RoundsHalfAwayFromZero_AndClamps()
        {
            Assert.Equal(1, InputQuantizer.Quantize(0.5f, 1f, 0));
            Assert.Equal(-1, InputQuantizer.Quantize(-0.5f, 1f, 0));
            Assert.Equal(2, InputQuantizer.Quantize(1.5f, 1f, 0));
            Assert.Equal(-2, InputQuantizer.Quantize(-1.5f, 1f, 0));
            Assert.Equal(0, InputQuantizer.Quantize(0.49f, 1f, 0));
            Assert.Equal(127, InputQuantizer.Quantize(1000f, 1f, 0));
            Assert.Equal(-128, InputQuantizer.Quantize(-1000f, 1f, 5));
            Assert.Equal(-3, InputQuantizer.Quantize(0.25f, 0.1f, -6)); // 2.5 → 3, + (-6)
        }

        [Fact]
        public void Ring_WrapsAndCopiesAcrossTheSeam()
        {
            var r = new SampleRing(5);
            for (int i = 0; i < 12; i++) r.Append(i);
            Assert.Equal(7, r.Oldest);
            var d = new float[4];
            r.CopyTo(8, 4, d, 0);
            Assert.Equal(new float[] { 8, 9, 10, 11 }, d);
            Assert.Throws<ArgumentOutOfRangeException>(() => r.At(6));
        }

        [Fact]
        public void Postprocessor_ArgmaxMarginAndDebounce()
        {
            var b = new byte[] { unchecked((byte)(sbyte)-5), 20, 17 };
            Assert.Equal(1, Postprocessor.Argmax(b, 0, 3, out int score, out int margin));
            Assert.Equal(20, score); Assert.Equal(3, margin);
            var p = new Postprocessor { Debounce = 2, MinMargin = 4 };
            Assert.False(p.Update(1, 10)); Assert.Equal(-1, p.Stable);
            Assert.True(p.Update(1, 10)); Assert.Equal(1, p.Stable);
            Assert.False(p.Update(0, 10));
            Assert.False(p.Update(0, 2)); // below margin: uncertain, resets the run
            Assert.False(p.Update(0, 10));
            Assert.True(p.Update(0, 10)); Assert.Equal(0, p.Stable);
        }

        [Fact]
        public void ReplayedStream_AtTestPeaks_AgreesWithOfflineWindows_AndTheLabels()
        {
            var it = new Interpreter(Model.Load(ecg.Blob));
            var sink = new ListSink();
            var led = new CountingPin();
            var p = new DevicePipeline(it, new ReplaySource(ecg.Stream), new ScheduledTrigger(ecg.Peaks, EcgFixture.Pre, EcgFixture.Size), 512)
            { SubtractMean = true, Sink = sink, Led = led };
            while (!p.Ended) p.Poll();

            Assert.Equal(ecg.Peaks.Length, sink.Items.Count);
            var oracle = new Interpreter(Model.Load(ecg.Blob));
            int agree = 0, tp = 0, fp = 0, fn = 0;
            for (int k = 0; k < sink.Items.Count; k++)
            {
                Assert.Equal(ecg.Peaks[k] - EcgFixture.Pre, sink.Items[k].Start);
                if (Offline(oracle, sink.Items[k].Start, true) == sink.Items[k].Class) agree++;
                bool pr = sink.Items[k].Class == 1, l = ecg.Labels[k] == 1;
                if (pr && l) tp++; else if (pr) fp++; else if (l) fn++;
            }
            double f1 = 2.0 * tp / (2.0 * tp + fp + fn);
            output.WriteLine($"{sink.Items.Count} beats replayed; {agree} agree with the offline run; F1 {f1:F4} (tp {tp} fp {fp} fn {fn}); LED changes {led.Changes}");
            Assert.Equal(sink.Items.Count, agree);
            Assert.True(f1 >= 0.95, $"F1 {f1}");
            Assert.True(led.Changes > 0);
        }

        [Fact]
        public void SlidingWindows_WithHop_AgreeWithOfflineWindows()
        {
            var it = new Interpreter(Model.Load(ecg.Blob));
            var sink = new ListSink();
            var p = new DevicePipeline(it, new ReplaySource(ecg.Stream), new HopTrigger(EcgFixture.Size, 90), EcgFixture.Size) { SubtractMean = true, Sink = sink };
            while (!p.Ended) p.Poll();
            Assert.Equal((ecg.Stream.Length - EcgFixture.Size) / 90 + 1, sink.Items.Count);
            var oracle = new Interpreter(Model.Load(ecg.Blob));
            for (int k = 0; k < sink.Items.Count; k++)
            {
                Assert.Equal(k * 90L, sink.Items[k].Start);
                Assert.Equal(Offline(oracle, sink.Items[k].Start, true), sink.Items[k].Class);
            }
        }

        [Fact]
        public void PeakTrigger_FindsTheAnnotatedBeats_AndItsWindowsAgreeOffline()
        {
            var it = new Interpreter(Model.Load(ecg.Blob));
            var sink = new ListSink();
            var trig = EcgPeaks.CreateTrigger();
            var p = new DevicePipeline(it, new ReplaySource(ecg.Stream), trig, trig.RequiredCapacity) { SubtractMean = true, Sink = sink };
            while (!p.Ended) p.Poll();
            var found = sink.Items.Select(i => i.Start + EcgFixture.Pre).ToArray();
            int hit = ecg.Peaks.Count(r => found.Any(f => Math.Abs(f - r) <= 10));
            output.WriteLine($"peak trigger: {found.Length} windows, {hit}/{ecg.Peaks.Length} annotated test beats within ±10 samples");
            Assert.True(hit >= ecg.Peaks.Length * 0.9, $"only {hit} of {ecg.Peaks.Length}");
            var oracle = new Interpreter(Model.Load(ecg.Blob));
            foreach (var i in sink.Items) Assert.Equal(Offline(oracle, i.Start, true), i.Class);
        }

        [Fact]
        public void SteadyState_AllocatesNothing_IncludingResultFrames()
        {
            var it = new Interpreter(Model.Load(ecg.Blob));
            var src = new ReplaySource(ecg.Stream) { Loop = true };
            var p = new DevicePipeline(it, src, new HopTrigger(EcgFixture.Size, 32), EcgFixture.Size) { SubtractMean = true, Led = new CountingPin() };
            var link = new NullLink();
            var dev = new DeviceLink(link, p, null);
            for (int i = 0; i < 50; i++) { p.Poll(); dev.Poll(); } // warm up (JIT, first-use tensor views)
            long before = GC.GetAllocatedBytesForCurrentThread();
            int windows = 0;
            for (int i = 0; i < 2000; i++) { windows += p.Poll(); dev.Poll(); }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            output.WriteLine($"{windows} windows, {link.Written} bytes of result frames, {allocated} bytes allocated");
            Assert.True(windows > 500);
            Assert.Equal(0, allocated);
        }
    }

    static class EcgPeaks
    {
        /// <summary>The documented ECG trigger settings (docs/devices.md).</summary>
        public static PeakTrigger CreateTrigger() => new PeakTrigger(radius: 54, threshold: 0.5f, refractory: 90, pre: EcgFixture.Pre, size: EcgFixture.Size);
    }
}
