// Misuses of the nanoFramework device APIs a sample could make; each marked line must be reported.
using System.Device.Gpio;
using System.Device.I2c;

static class Esp32Misuse
{
    static void Run()
    {
        var settings = new I2cConnectionSettings(1); // expect: I2cConnectionSettings
        var device = I2cDevice.Create(new I2cConnectionSettings(1, 0x68));
        device.WriteRead(new byte[1]); // expect: WriteRead
        var gpio = new GpioController();
        gpio.OpenPin(2, PinMode.Output);
        gpio.Write(2, PinValue.High);
        gpio.Toggle(2); // expect: Toggle
        var list = new System.Collections.Generic.List<int>(); // expect: Generic
    }
}
