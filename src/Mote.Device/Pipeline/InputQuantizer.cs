using System;
using Mote.Runtime;

namespace Mote.Device.Pipeline
{
    /// <summary>
    /// Float window → int8 input tensor: q = clamp(round(x / scale) + zeroPoint, -128, 127), with
    /// round half away from zero (as TFLite's Quantize and Mote's packer do), optionally after
    /// subtracting the window mean (the ECG sample's normalization).
    /// </summary>
    public static class InputQuantizer
    {
        public static int Quantize(float x, float scale, int zeroPoint)
        {
            float r = x / scale;
            // Round half away from zero without Math.Round's MidpointRounding (not on nanoFramework).
            int q = r >= 0 ? (int)(r + 0.5f) : -(int)(-r + 0.5f);
            q += zeroPoint;
            if (q < -128) q = -128;
            if (q > 127) q = 127;
            return q;
        }

        /// <summary>Quantizes <paramref name="count"/> samples into <paramref name="tensor"/> (which must hold exactly that many int8 elements).</summary>
        public static void Fill(float[] window, int start, int count, bool subtractMean, TensorView tensor)
        {
            if (tensor.Bytes != count)
                throw new ArgumentException("the input tensor holds " + tensor.Bytes + " int8 elements, the window " + count);
            TensorInfo info = tensor.Info;
            float scale = info.Scale;
            int zp = info.ZeroPoint;
            float mean = 0;
            if (subtractMean)
            {
                // Double accumulation keeps the mean equal to numpy's float32 mean to within an ULP.
                double sum = 0;
                for (int i = 0; i < count; i++) sum += window[start + i];
                mean = (float)(sum / count);
            }
            byte[] buffer = tensor.Buffer;
            int o = tensor.Start;
            for (int i = 0; i < count; i++)
                buffer[o + i] = (byte)(sbyte)Quantize(window[start + i] - mean, scale, zp);
        }
    }
}
