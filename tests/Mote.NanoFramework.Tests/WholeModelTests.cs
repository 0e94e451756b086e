// Whole-model tests on nanoCLR: hello_world_int8 (packed, 2 KB, embedded as a byte array by
// HelloWorldModel.cs, which is generated and checked on the host) run on TFLM's eight samples,
// loaded both directly and through the chunked loader; outputs must equal TFLM's byte for byte.
using Mote.Runtime;
using Mote.Runtime.Loading;
using nanoFramework.TestFramework;

namespace Mote.NanoFramework.Tests
{
    [TestClass]
    public class WholeModelTests
    {
        [TestMethod]
        public void HelloWorld_TflmSamples_OutputsMatchByteForByte()
        {
            var interpreter = new Interpreter(Model.Load(HelloWorldModel.Blob));
            for (int k = 0; k < HelloWorldModel.Inputs.Length; k++)
            {
                interpreter.GetInput(0).SetInt8(0, (sbyte)HelloWorldModel.Inputs[k]);
                interpreter.Invoke();
                Assert.AreEqual((int)(sbyte)HelloWorldModel.ExpectedOutputs[k], interpreter.GetOutput(0).GetInt8(0), "sample " + k);
            }
        }

        [TestMethod]
        public void HelloWorld_LoadedInChunksOf7_SameOutputs()
        {
            byte[] buffer = new byte[HelloWorldModel.Blob.Length];
            Model model = BlobLoader.Load(new ByteArraySource(HelloWorldModel.Blob), buffer, 7);
            var interpreter = new Interpreter(model);
            interpreter.GetInput(0).SetInt8(0, (sbyte)HelloWorldModel.Inputs[0]);
            interpreter.Invoke();
            Assert.AreEqual((int)(sbyte)HelloWorldModel.ExpectedOutputs[0], interpreter.GetOutput(0).GetInt8(0));
        }

        [TestMethod]
        public void HelloWorld_CorruptedByte_ThrowsCrcMismatch()
        {
            byte[] copy = new byte[HelloWorldModel.Blob.Length];
            System.Array.Copy(HelloWorldModel.Blob, copy, copy.Length);
            copy[copy.Length - 1] ^= 0x01;
            try
            {
                BlobLoader.Load(new ByteArraySource(copy), new byte[copy.Length]);
                Assert.IsTrue(false, "a corrupted blob loaded");
            }
            catch (BlobLoadException e)
            {
                Assert.AreEqual((int)BlobLoadError.CrcMismatch, (int)e.Error);
            }
        }
    }
}
