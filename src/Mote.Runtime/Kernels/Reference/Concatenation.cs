namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// CONCATENATION, a byte copy (any element type). Follows TFLM reference_ops::Concatenation
    /// (reference/concatenation.h); TFLM's int8 Prepare requires every input to share the
    /// output's scale and zero point, so no requantization happens.
    /// </summary>
    public static class Concatenation
    {
        /// <summary>
        /// inputs[i] / inputStarts[i] for i in [0, InputCount). For each outer index k in
        /// [0, OuterSize) and each input i in order, copies CopyBytes[i] bytes starting at
        /// inputStarts[i] + k * CopyBytes[i] to the next position of the output.
        /// </summary>
        public static void Eval(ConcatenationParams p, byte[][] inputs, int[] inputStarts, byte[] output, int outputStart)
        {
            int o = outputStart;
            for (int k = 0; k < p.OuterSize; k++)
            {
                for (int i = 0; i < p.InputCount; i++)
                {
                    int n = p.CopyBytes[i];
                    System.Array.Copy(inputs[i], inputStarts[i] + k * n, output, o, n);
                    o += n;
                }
            }
        }
    }
}
