using System;

namespace Mote.Device.Pipeline
{
    /// <summary>
    /// Plays a recorded signal. As fast as possible (every <see cref="Read"/> returns what fits),
    /// or in real time against an <see cref="IClock"/>: only the samples whose time has come at
    /// <c>sampleRateHz × speed</c> are returned. Optionally loops.
    /// </summary>
    public sealed class ReplaySource : ISampleSource
    {
        readonly float[] samples;
        readonly IClock clock;
        readonly double samplesPerMicro;
        long position, startMicros = -1;

        public bool Loop;

        /// <summary>As fast as possible.</summary>
        public ReplaySource(float[] samples) : this(samples, null, 0, 1) { }

        /// <summary>Real time (×<paramref name="speed"/>) when <paramref name="clock"/> is given.</summary>
        public ReplaySource(float[] samples, IClock clock, int sampleRateHz, double speed)
        {
            if (samples == null || samples.Length == 0) throw new ArgumentException("no samples to replay");
            this.samples = samples;
            this.clock = clock;
            samplesPerMicro = sampleRateHz * speed / 1e6;
        }

        /// <summary>Samples delivered so far.</summary>
        public long Position { get { return position; } }

        public int Read(float[] buffer, int offset, int count)
        {
            if (!Loop && position >= samples.Length) return -1;
            if (clock != null)
            {
                long now = clock.Micros();
                if (startMicros < 0) startMicros = now;
                long due = (long)((now - startMicros) * samplesPerMicro) + 1 - position;
                if (due < count) count = due < 0 ? 0 : (int)due;
            }
            int n = 0;
            while (n < count)
            {
                int i = (int)(position % samples.Length);
                if (!Loop && position >= samples.Length) break;
                buffer[offset + n] = samples[i];
                n++;
                position++;
            }
            return n;
        }
    }
}
