// ESP32 + MPU6050 motion anomaly detector on .NET nanoFramework (README.md: wiring, model, build).
// Reads the accelerometer at ~100 Hz over I2C, runs an int8 autoencoder (a .mote blob embedded as
// a resource) on each window and lights the LED while the last window was anomalous.
using System;
using System.Device.Gpio;
using System.Device.I2c;
using System.Diagnostics;
using System.Threading;
using Mote.Runtime;
using Mote.Runtime.Loading;

namespace Mote.Samples.Esp32
{
    public static class Program
    {
        const int I2cBus = 1;            // I2C1: SDA GPIO21, SCL GPIO22 (README.md)
        const int LedPin = 2;            // the on-board LED of most ESP32 DevKit boards
        const int ModelBytes = 8192;     // the blob buffer: at least the packed model's size (mote inspect)
        const float Threshold = 0.02f;   // g²: from the training set's reconstruction errors
        const int SamplePeriodMs = 10;

        public static void Main()
        {
            // Allocate the blob buffer first, while the heap is unfragmented, then load in chunks.
            byte[] blob = new byte[ModelBytes];
            Model model;
            try
            {
                model = BlobLoader.Load(new ResourceBlobSource(Resources.ResourceManager, Resources.BinaryResources.model, ModelBytes), blob, 256);
            }
            catch (BlobLoadException e)
            {
                // TooLarge: the model outgrew ModelBytes (the message says how much to allocate);
                // CrcMismatch/Truncated: a damaged resource. The loader reads exactly the header's total
                // length, so ModelBytes may exceed the blob.
                Debug.WriteLine("model: " + e.Message);
                return;
            }
            var detector = new ImuAnomalyDetector(model, null, Mpu6050.CountsPerG, Threshold);
            Debug.WriteLine("model: " + model.Length + " bytes, arena " + model.ArenaBytes + " bytes, window " + detector.WindowSamples + " samples");

            var gpio = new GpioController();
            gpio.OpenPin(LedPin, PinMode.Output);
            var imu = new Mpu6050(I2cDevice.Create(new I2cConnectionSettings(I2cBus, Mpu6050.DefaultAddress, I2cBusSpeed.FastMode)));
            imu.Start();

            while (true)
            {
                int x, y, z;
                imu.ReadAcceleration(out x, out y, out z);
                if (detector.Add(x, y, z))
                {
                    gpio.Write(LedPin, detector.IsAnomaly ? PinValue.High : PinValue.Low);
                    Debug.WriteLine("score " + detector.LastScore.ToString("F4") + (detector.IsAnomaly ? " ANOMALY" : ""));
                }
                Thread.Sleep(SamplePeriodMs);
            }
        }
    }
}
