using System;
using System.IO;
using System.Linq;
using Mote.Packer.Tflite;
using Mote.Packer.Tests.Models;
using Mote.Tests.Common;
using Xunit;

namespace Mote.Packer.Tests.Tflite
{
    /// <summary>
    /// The FlexBuffers reader of custom operator options: hand-built buffers (from the format's
    /// layout), TFLM's real options, and mutated buffers that must parse or fail with a typed error.
    /// </summary>
    public class FlexBufferMapTests
    {
        // Map {"a": 5, "b": -2} with 1-byte widths, laid out as a FlexBuffers builder writes it:
        // keys, key vector (length first), map header (keys offset, keys width, length), values,
        // value types, then root offset, root type (MAP << 2 | width code 0) and root width.
        static readonly byte[] TwoInts =
        {
            (byte)'a', 0, (byte)'b', 0,      // 0..3 keys
            2, 5, 4,                         // 4 key vector length; 5: 'a' at 5 - 5 = 0; 6: 'b' at 6 - 4 = 2
            2, 1, 2,                         // 7: key vector at 7 - 2 = 5; 8 its width; 9 map length
            5, 0xFE,                         // 10, 11 values 5 and -2
            1 << 2, 1 << 2,                  // 12, 13 types INT, INT
            4, 9 << 2, 1,                    // 14: map at 14 - 4 = 10; MAP; root width 1
        };

        [Fact]
        public void Parse_HandBuiltMap_ReadsIntsByKey()
        {
            var m = FlexBufferMap.Parse(TwoInts);
            Assert.Equal(new[] { "a", "b" }, m.Keys.ToArray());
            Assert.Equal(5, m.GetInt32("a"));
            Assert.Equal(-2, m.GetInt32("b"));
            Assert.True(m.GetBool("a"));
            var e = Assert.Throws<FlexBufferException>(() => m.GetInt32("c"));
            Assert.Contains("'c' is missing", e.Message);
        }

        [Fact]
        public void Parse_RootIsNotAMap_Throws()
        {
            var b = (byte[])TwoInts.Clone();
            b[^2] = 1 << 2; // INT
            Assert.Throws<FlexBufferException>(() => FlexBufferMap.Parse(b));
            Assert.Throws<FlexBufferException>(() => FlexBufferMap.Parse(new byte[] { 1 }));
            Assert.Throws<FlexBufferException>(() => FlexBufferMap.Parse(Array.Empty<byte>()));
        }

        [Fact]
        public void Parse_EveryTruncationAndByteValue_ParsesOrThrowsTyped()
        {
            for (int n = 0; n < TwoInts.Length; n++) TryAll(TwoInts[..n]);
            for (int i = 0; i < TwoInts.Length; i++)
                for (int v = 0; v < 256; v++)
                {
                    var b = (byte[])TwoInts.Clone();
                    b[i] = (byte)v;
                    TryAll(b);
                }
        }

        /// <summary>Parses and reads every key; anything but a FlexBufferException fails the test.</summary>
        static void TryAll(byte[] b)
        {
            try
            {
                var m = FlexBufferMap.Parse(b);
                foreach (var k in m.Keys)
                {
                    try { m.GetInt64(k); }
                    catch (FlexBufferException) { }
                }
            }
            catch (FlexBufferException) { }
        }

        [SkippableFact]
        public void Parse_AudioPreprocessorOptions_MatchTflmKernelsKeys()
        {
            var model = TfliteModel.Parse(File.ReadAllBytes(SharedModels.ModelPath("audio_preprocessor_int8")), "audio_preprocessor_int8");
            var ops = model.Subgraphs[0].Operators;
            FlexBufferMap Options(string custom) =>
                FlexBufferMap.Parse(ops.First(o => model.OperatorCodes[o.OpcodeIndex].CustomCode == custom).CustomOptions);
            Assert.Equal(12, Options("SignalWindow").GetInt32("shift"));
            var rfft = Options("SignalRfft");
            Assert.Equal(512, rfft.GetInt32("fft_length"));
            Assert.Equal((int)TensorType.INT16, rfft.GetInt32("T"));
            var ss = Options("SignalFilterBankSpectralSubtraction");
            Assert.Equal(new[] { "alternate_one_minus_smoothing", "alternate_smoothing", "clamping", "min_signal_remaining", "num_channels",
                "one_minus_smoothing", "smoothing", "smoothing_bits", "spectral_subtraction_bits" }, ss.Keys.ToArray());
            Assert.Equal(15401, ss.GetInt32("alternate_one_minus_smoothing"));
            Assert.False(ss.GetBool("clamping"));
            Assert.Equal(819, ss.GetInt32("min_signal_remaining"));

            // Every custom options buffer of the model, mutated: parse or a typed error, never anything else.
            var rng = new Random(9);
            foreach (var op in ops.Where(o => o.CustomOptions.Length > 0))
            {
                var src = op.CustomOptions;
                for (int n = 0; n < src.Length; n++) TryAll(src[..n]);
                for (int trial = 0; trial < 3000; trial++)
                {
                    var b = (byte[])src.Clone();
                    int flips = 1 + rng.Next(3);
                    for (int f = 0; f < flips; f++) b[rng.Next(b.Length)] = (byte)rng.Next(256);
                    TryAll(b);
                }
            }
        }
    }
}
