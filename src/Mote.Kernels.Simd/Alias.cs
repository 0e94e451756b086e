namespace Mote.Kernels.Simd
{
    /// <summary>
    /// Whether a vector kernel may read <paramref name="inBytes"/> bytes at <paramref name="inStart"/> and write
    /// <paramref name="outBytes"/> at <paramref name="outStart"/> with the reference kernel's result: yes when the
    /// arrays or ranges are disjoint, or (element-wise kernels, which read each block before writing it) when the
    /// output is exactly the input. A partial overlap (which the arena planner does not produce) sends the call
    /// to the reference kernel, whose element order then decides the result.
    /// </summary>
    static class Alias
    {
        /// <summary>
        /// Whether [start, start + bytes) lies inside <paramref name="a"/> (the pointer kernels check before they read or
        /// write; out-of-range calls go to the reference kernel, which throws as it always did). Zero bytes always fit.
        /// </summary>
        public static bool InBounds(byte[] a, long start, long bytes) =>
            bytes <= 0 || (a != null && start >= 0 && start + bytes <= a.Length);

        public static bool Hazard(byte[] input, int inStart, int inBytes, byte[] output, int outStart, int outBytes, bool exactIsSafe)
        {
            if (!ReferenceEquals(input, output) || inBytes <= 0 || outBytes <= 0) return false;
            if ((long)inStart + inBytes <= outStart || (long)outStart + outBytes <= inStart) return false;
            return !(exactIsSafe && inStart == outStart && inBytes == outBytes);
        }
    }
}
