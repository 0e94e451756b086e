using System;

namespace Mote.Device.Pipeline
{
    /// <summary>
    /// Fixed-capacity ring of float samples addressed by absolute sample index (0 = first
    /// sample ever appended). Holds the last <see cref="Capacity"/> samples; allocates only in
    /// the constructor.
    /// </summary>
    public sealed class SampleRing
    {
        readonly float[] data;

        public SampleRing(int capacity)
        {
            if (capacity < 1) throw new ArgumentOutOfRangeException("capacity");
            data = new float[capacity];
        }

        public int Capacity { get { return data.Length; } }

        /// <summary>Number of samples appended since construction (or <see cref="Clear"/>).</summary>
        public long Total { get; private set; }

        /// <summary>Absolute index of the oldest sample still held.</summary>
        public long Oldest { get { return Total > data.Length ? Total - data.Length : 0; } }

        public void Append(float sample)
        {
            data[(int)(Total % data.Length)] = sample;
            Total++;
        }

        public void Clear() { Total = 0; }

        /// <summary>The sample with absolute index <paramref name="index"/> (must still be held).</summary>
        public float At(long index)
        {
            if (index < Oldest || index >= Total) throw new ArgumentOutOfRangeException("index");
            return data[(int)(index % data.Length)];
        }

        /// <summary>Copies samples [start, start+count) into <paramref name="destination"/>.</summary>
        public void CopyTo(long start, int count, float[] destination, int destinationStart)
        {
            if (start < Oldest || start + count > Total) throw new ArgumentOutOfRangeException("start");
            int p = (int)(start % data.Length);
            int first = data.Length - p;
            if (first > count) first = count;
            Array.Copy(data, p, destination, destinationStart, first);
            if (count > first) Array.Copy(data, 0, destination, destinationStart + first, count - first);
        }
    }
}
