namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// RELU6, int8. Follows TFLM Relu6Quantized (micro/kernels/activations.h): the raw input
    /// bytes are clamped to [Lower, Upper] = [input zero point, quantized 6.0 on the INPUT
    /// scale] and written unchanged otherwise. TFLM does not requantize to the output scale.
    /// </summary>
    public static class Relu6
    {
        /// <summary>Input and output are int8 with Size elements: out = x &gt; Upper ? Upper : x &lt; Lower ? Lower : x.</summary>
        public static void Eval(Relu6Params p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            for (int i = 0; i < p.Size; i++)
            {
                int v = (sbyte)input[inputStart + i];
                int result = v > p.Upper ? p.Upper : v < p.Lower ? p.Lower : v;
                output[outputStart + i] = (byte)(sbyte)result;
            }
        }
    }
}
