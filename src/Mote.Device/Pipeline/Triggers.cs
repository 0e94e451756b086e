using System;

namespace Mote.Device.Pipeline
{
    /// <summary>Sliding windows: one of <c>size</c> samples every <c>hop</c> samples.</summary>
    public sealed class HopTrigger : IWindowTrigger
    {
        readonly int size, hop;

        public HopTrigger(int size, int hop)
        {
            if (size < 1) throw new ArgumentOutOfRangeException("size");
            if (hop < 1) throw new ArgumentOutOfRangeException("hop");
            this.size = size;
            this.hop = hop;
        }

        public long OnSample(SampleRing ring)
        {
            long end = ring.Total;
            if (end < size || (end - size) % hop != 0) return -1;
            return end - size;
        }
    }

    /// <summary>
    /// Windows placed at fiducial points known in advance (e.g. annotated R peaks, the ECG
    /// sample's test_peaks.npy): for a fiducial at sample r the window is [r - pre, r - pre + size).
    /// Fiducials must be ascending.
    /// </summary>
    public sealed class ScheduledTrigger : IWindowTrigger
    {
        readonly long[] fiducials;
        readonly int pre, size;
        int next;

        public ScheduledTrigger(long[] fiducials, int pre, int size)
        {
            if (fiducials == null) throw new ArgumentNullException("fiducials");
            this.fiducials = fiducials;
            this.pre = pre;
            this.size = size;
        }

        public long OnSample(SampleRing ring)
        {
            while (next < fiducials.Length && fiducials[next] - pre < 0) next++;
            if (next >= fiducials.Length) return -1;
            long start = fiducials[next] - pre;
            if (ring.Total != start + size) return -1;
            next++;
            return start;
        }
    }

    /// <summary>
    /// A simple R-peak detector for the ECG sample: sample t - radius is a peak when its
    /// absolute deviation from the local mean is the largest within ±radius samples and at
    /// least <c>threshold</c> (mV), and no peak was taken within the last <c>refractory</c>
    /// samples. The window then starts <c>pre</c> samples before the peak and is classified once
    /// it is complete. Costs O(radius) per sample, no allocation.
    /// </summary>
    public sealed class PeakTrigger : IWindowTrigger
    {
        readonly int radius, pre, size, refractory;
        readonly float threshold;
        long lastPeak = long.MinValue / 2;
        long pending = -1;

        public PeakTrigger(int radius, float threshold, int refractory, int pre, int size)
        {
            this.radius = radius;
            this.threshold = threshold;
            this.refractory = refractory;
            this.pre = pre;
            this.size = size;
        }

        /// <summary>Ring capacity this trigger needs.</summary>
        public int RequiredCapacity { get { int a = 2 * radius + 1, b = size; return a > b ? a : b; } }

        public long OnSample(SampleRing ring)
        {
            long total = ring.Total;
            long c = total - 1 - radius;
            if (c - radius >= 0 && c - pre >= 0 && c - lastPeak >= refractory)
            {
                float mean = 0;
                for (long i = c - radius; i <= c + radius; i++) mean += ring.At(i);
                mean /= 2 * radius + 1;
                float v = Abs(ring.At(c) - mean);
                if (v >= threshold)
                {
                    bool max = true;
                    for (long i = c - radius; i <= c + radius && max; i++)
                        if (i != c && Abs(ring.At(i) - mean) > v) max = false;
                    if (max && pending < 0)
                    {
                        lastPeak = c;
                        pending = c - pre;
                    }
                }
            }
            if (pending >= 0 && total == pending + size)
            {
                long s = pending;
                pending = -1;
                return s;
            }
            return -1;
        }

        static float Abs(float x) { return x < 0 ? -x : x; }
    }
}
