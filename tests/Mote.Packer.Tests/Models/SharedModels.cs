using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mote.Packer;
using Mote.Tests.Common;

namespace Mote.Packer.Tests.Models
{
    /// <summary>The shared int8 models in scope of the core issue, packed once per test run.</summary>
    public static class SharedModels
    {
        /// <summary>Every model of ../shared/models (ScopeTests checks that none is missing).</summary>
        public static readonly string[] InScope =
        {
            "hello_world_int8", "micro_speech", "person_detection", "mlperf_kws_dscnn", "mlperf_vww_96",
            "mlperf_ic_resnet8", "mlperf_ic_resnet_large", "mlperf_ad_autoencoder", "mlperf_streaming_ww", "simple_add",
            // Issue 9, data movement and (re)quantization (int16 activations).
            "seanet_pad0_int16", "seanet_quantize0_int16", "seanet_strided_slice0_int16",
            // Issue 9, SVDF with int8 state (and the int8 -> int16 SOFTMAX, the QUANTIZE variants).
            "keyword_scrambled_int8",
            "mnist_lstm_int8", "micro_speech_lstm", "dtln_noise_suppression",
            // Issue 9: CONV_2D 16x8 and TRANSPOSE_CONV (int8 and 16x8).
            "seanet_conv0_int16", "seanet_transpose_conv0_int16",
            // int16 activations (issue 9).
            "seanet_add0_int16", "seanet_sub0_int16", "seanet_leaky_relu0_int16",
            // Issue 9: the micro_speech audio front end (signal-library ops, CAST, int32 arithmetic).
            "audio_preprocessor_int8",
        };

        /// <summary>Op prefixes of ../shared/opzoo's single-op cases (ScopeTests checks that every case has one).</summary>
        public static readonly string[] OpzooOps =
        {
            "add", "average_pool_2d", "conv_2d", "depthwise_conv_2d", "fully_connected", "max_pool_2d", "reshape", "softmax",
            "mul", "logistic", "tanh", "leaky_relu", "relu", "relu6", "pad", "concatenation", "squeeze", "quantize", "hard_swish", "mean",
            "dequantize", "strided_slice", "transpose",
        };

        static readonly ConcurrentDictionary<string, PackResult> cache = new();

        public static PackResult Pack(string tflitePath) =>
            cache.GetOrAdd(tflitePath, p => Packer.PackTflite(File.ReadAllBytes(p), Path.GetFileName(p)));

        public static string ModelPath(string name) => Path.Combine(SharedData.Require("models"), name + ".tflite");

        public static string VectorDir(string name) => Path.Combine(SharedData.Require("models"), name + ".vectors");

        public static IEnumerable<object[]> ModelSamples()
        {
            foreach (var m in InScope)
                for (int k = 0; k < 8; k++) yield return new object[] { m, k };
        }

        public static IEnumerable<object[]> Models() => InScope.Select(m => new object[] { m });

        public static IEnumerable<object[]> OpzooCases()
        {
            var files = SharedData.ListOrEmpty("opzoo", "*.tflite");
            var cases = files.Select(Path.GetFileNameWithoutExtension)
                .Where(c => OpzooOps.Any(op => c.StartsWith(op + "_") && char.IsDigit(c[op.Length + 1]))).ToList();
            if (cases.Count == 0) cases.Add("(shared opzoo absent)");
            return cases.Select(c => new object[] { c });
        }
    }
}
