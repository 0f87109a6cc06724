<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis maxScale="0" styleCategories="AllStyleCategories" version="3.22.16-Białowieża" hasScaleBasedVisibilityFlag="0" minScale="1e+08">
  <flags>
    <Identifiable>1</Identifiable>
    <Removable>1</Removable>
    <Searchable>1</Searchable>
    <Private>0</Private>
  </flags>
  <temporal enabled="0" mode="0" fetchMode="0">
    <fixedRange>
      <start></start>
      <end></end>
    </fixedRange>
  </temporal>
  <customproperties>
    <Option type="Map">
      <Option name="identify/format" type="QString" value="Value"/>
    </Option>
  </customproperties>
  <pipe-data-defined-properties>
    <Option type="Map">
      <Option name="name" type="QString" value=""/>
      <Option name="properties"/>
      <Option name="type" type="QString" value="collection"/>
    </Option>
  </pipe-data-defined-properties>
  <pipe>
    <provider>
      <resampling enabled="false" zoomedInResamplingMethod="nearestNeighbour" maxOversampling="2" zoomedOutResamplingMethod="nearestNeighbour"/>
    </provider>
    <rasterrenderer classificationMin="0" type="singlebandpseudocolor" nodataColor="" band="1" classificationMax="1" opacity="1" alphaBand="-1">
      <minMaxOrigin>
        <limits>None</limits>
        <extent>WholeRaster</extent>
        <statAccuracy>Estimated</statAccuracy>
        <cumulativeCutLower>0.02</cumulativeCutLower>
        <cumulativeCutUpper>0.98</cumulativeCutUpper>
        <stdDevFactor>2</stdDevFactor>
      </minMaxOrigin>
      <rastershader>
        <colorrampshader colorRampType="INTERPOLATED" labelPrecision="6" maximumValue="1" clip="0" classificationMode="1" minimumValue="0">
          <colorramp name="[source]" type="gradient">
            <Option type="Map">
              <Option name="color1" type="QString" value="68,1,84,255"/>
              <Option name="color2" type="QString" value="253,231,37,255"/>
              <Option name="discrete" type="QString" value="0"/>
              <Option name="rampType" type="QString" value="gradient"/>
              <Option name="stops" type="QString" value="0.1;72,36,117,255:0.2;65,68,135,255:0.3;53,95,141,255:0.4;42,120,142,255:0.5;33,145,140,255:0.6;34,168,132,255:0.7;68,191,112,255:0.8;122,209,81,255:0.9;189,223,38,255"/>
            </Option>
            <prop k="color1" v="68,1,84,255"/>
            <prop k="color2" v="253,231,37,255"/>
            <prop k="discrete" v="0"/>
            <prop k="rampType" v="gradient"/>
            <prop k="stops" v="0.1;72,36,117,255:0.2;65,68,135,255:0.3;53,95,141,255:0.4;42,120,142,255:0.5;33,145,140,255:0.6;34,168,132,255:0.7;68,191,112,255:0.8;122,209,81,255:0.9;189,223,38,255"/>
          </colorramp>
          <item label="0.0" value="0" alpha="255" color="#440154"/>
          <item label="0.1" value="0.1" alpha="255" color="#482475"/>
          <item label="0.2" value="0.2" alpha="255" color="#414487"/>
          <item label="0.3" value="0.3" alpha="255" color="#355f8d"/>
          <item label="0.4" value="0.4" alpha="255" color="#2a788e"/>
          <item label="0.5" value="0.5" alpha="255" color="#21918c"/>
          <item label="0.6" value="0.6" alpha="255" color="#22a884"/>
          <item label="0.7" value="0.7" alpha="255" color="#44bf70"/>
          <item label="0.8" value="0.8" alpha="255" color="#7ad151"/>
          <item label="0.9" value="0.9" alpha="255" color="#bddf26"/>
          <item label="1.0" value="1" alpha="255" color="#fde725"/>
          <rampLegendSettings suffix="" useContinuousLegend="1" direction="0" minimumLabel="" maximumLabel="" orientation="2" prefix="">
            <numericFormat id="basic">
              <Option type="Map">
                <Option name="decimal_separator" type="QChar" value=""/>
                <Option name="decimals" type="int" value="6"/>
                <Option name="rounding_type" type="int" value="0"/>
                <Option name="show_plus" type="bool" value="false"/>
                <Option name="show_thousand_separator" type="bool" value="true"/>
                <Option name="show_trailing_zeros" type="bool" value="false"/>
                <Option name="thousand_separator" type="QChar" value=""/>
              </Option>
            </numericFormat>
          </rampLegendSettings>
        </colorrampshader>
      </rastershader>
    </rasterrenderer>
    <brightnesscontrast contrast="0" brightness="0" gamma="1"/>
    <huesaturation invertColors="0" colorizeBlue="128" colorizeStrength="100" saturation="0" colorizeGreen="128" colorizeOn="0" colorizeRed="255" grayscaleMode="0"/>
    <rasterresampler maxOversampling="2"/>
    <resamplingStage>resamplingFilter</resamplingStage>
  </pipe>
  <blendMode>0</blendMode>
</qgis>
