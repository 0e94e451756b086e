namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// Index arithmetic shared by the 4-D broadcasting element-wise kernels (ADD, MUL;
    /// TFLM's BroadcastAdd4DSlow / BroadcastMul4DSlow).
    /// </summary>
    internal static class Broadcast4D
    {
        /// <summary>
        /// Row-major strides of a 4-D input shape [d0, d1, d2, d3] as read along the output:
        /// a broadcast (size 1) dimension gets stride 0, so that every output index along it
        /// reads element 0 (NumPy broadcasting).
        /// </summary>
        public static void Strides(int[] shape, out int stride0, out int stride1, out int stride2, out int stride3)
        {
            stride3 = shape[3] == 1 ? 0 : 1;
            stride2 = shape[2] == 1 ? 0 : shape[3];
            stride1 = shape[1] == 1 ? 0 : shape[2] * shape[3];
            stride0 = shape[0] == 1 ? 0 : shape[1] * shape[2] * shape[3];
        }
    }
}
