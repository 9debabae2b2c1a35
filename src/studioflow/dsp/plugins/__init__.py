"""Hosted plugins as processors: LADSPA (``ladspa``) and LV2 (``lv2``) through small ctypes hosts, VST3/AU (``vst3``)
through pedalboard's host (the optional extra ``studioflow[plugins]``)."""
